import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONTRACT_FILE } from './contract-env';
import { generateClientTypes } from './client-types';

/** The generated types inside the client package. */
export const CLIENT_TYPES_FILE = 'clients/typescript/src/schema.ts';

/**
 * `npm run api:client`: regenerates the client's types from the committed
 * openapi.json. `-- <document.json> <schema.ts>` generates from and to other
 * files (the breaking-change test uses that on an altered copy).
 */
async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const [from = resolve(root, CONTRACT_FILE), to = resolve(root, CLIENT_TYPES_FILE)] = process.argv.slice(2);
  const document = JSON.parse(readFileSync(from, 'utf8')) as object;
  writeFileSync(to, await generateClientTypes(document));
  process.stdout.write(`Wrote ${to} from ${from}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
