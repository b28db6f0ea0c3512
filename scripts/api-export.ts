import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildServedDocument, serialise } from './api-document';
import { CONTRACT_FILE } from './contract-env';

/** `npm run api:export`: writes the served OpenAPI document to openapi.json (no server is started). */
async function main(): Promise<void> {
  const document = await buildServedDocument();
  const file = resolve(__dirname, '..', CONTRACT_FILE);
  writeFileSync(file, serialise(document));
  process.stdout.write(`Wrote ${CONTRACT_FILE}: ${Object.keys(document.paths).length} paths\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
