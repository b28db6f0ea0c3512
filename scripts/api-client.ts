import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONTRACT_FILE } from './contract-env';
import { generateClientTypes } from './client-types';

/** The generated types inside the client package. */
export const CLIENT_TYPES_FILE = 'clients/typescript/src/schema.ts';

/** `npm run api:client`: regenerates the client's types from the committed openapi.json. */
async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const document = JSON.parse(readFileSync(resolve(root, CONTRACT_FILE), 'utf8')) as object;
  writeFileSync(resolve(root, CLIENT_TYPES_FILE), await generateClientTypes(document));
  process.stdout.write(`Wrote ${CLIENT_TYPES_FILE} from ${CONTRACT_FILE}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
