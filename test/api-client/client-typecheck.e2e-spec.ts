import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';
import { CONTRACT_FILE } from '../../scripts/contract-env';

const ROOT = join(__dirname, '..', '..');
/** Generation plus a TypeScript program per case: slow on a busy 2-core machine. */
const SLOW = 120_000;

/** Code a consumer writes against the client: it reads `clientSecret` from a created intent. */
const USAGE = `
import { createPorticoClient, idempotencyKey, unwrap } from './index';

export async function checkoutSecret(): Promise<string | null> {
  const api = createPorticoClient({ baseUrl: 'http://127.0.0.1:1', auth: { apiKey: 'pk_example' } });
  const intent = await unwrap(
    api.POST('/payments/intents', { body: { amount: 1999, currency: 'eur' }, params: { header: idempotencyKey() } }),
  );
  return intent.clientSecret;
}
`;

/** Generates the client's types from `document` beside the wrapper and the usage above; returns tsc's errors. */
function typecheckClientAgainst(document: object): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'portico-client-'));
  try {
    // The generator runs as `npm run api:client` does (openapi-typescript loads ESM-only packages jest cannot).
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
    execFileSync(
      process.execPath,
      ['-r', '@swc-node/register', 'scripts/api-client.ts', join(dir, 'openapi.json'), join(dir, 'schema.ts')],
      { cwd: ROOT, stdio: 'pipe' },
    );
    copyFileSync(join(ROOT, 'clients/typescript/src/index.ts'), join(dir, 'index.ts'));
    writeFileSync(join(dir, 'usage.ts'), USAGE);
    const program = ts.createProgram([join(dir, 'usage.ts')], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      baseUrl: dir,
      paths: { 'openapi-fetch': [join(ROOT, 'node_modules/openapi-fetch')] },
    });
    return ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.file ? d.file.fileName.slice(dir.length + 1) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('A breaking change to the contract fails the client’s typecheck', () => {
  const committed = JSON.parse(readFileSync(join(ROOT, CONTRACT_FILE), 'utf8')) as {
    components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
  };

  it(
    'compiles against the committed contract',
    () => {
      expect(typecheckClientAgainst(committed)).toEqual([]);
    },
    SLOW,
  );

  it(
    'fails to compile once a response field the caller reads is removed from the document',
    () => {
      const broken = structuredClone(committed);
      const created = broken.components.schemas.PaymentIntentCreatedDto;
      delete created.properties.clientSecret;
      created.required = created.required?.filter((name) => name !== 'clientSecret');

      const errors = typecheckClientAgainst(broken);
      expect(errors).toEqual([expect.stringMatching(/^usage\.ts: Property 'clientSecret' does not exist/)]);
    },
    SLOW,
  );
});
