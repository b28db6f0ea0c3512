import { parseArgs } from 'node:util';
import { DatabaseModule } from '../core/database/database.module';
import { ApiKeysModule } from '../core/security/api-keys/api-keys.module';
import { ApiKeyNameTakenError, ApiKeysService } from '../core/security/api-keys/api-keys.service';
import { KEY_NAME, parseExpiresInArg, parseScopesArg } from './cli-args';
import { CliUsageError, createCliContext, runCli } from './cli-context';

const USAGE =
  'usage: npm run apikey:create -- --name <name: letters, digits, _ . -> [--scopes payments:write,payments:manage] [--expires-in 90d] [--admin]';

/**
 * `npm run apikey:create -- --name billing --scopes payments:write,payments:manage [--expires-in 90d]`:
 * stores a new key's hash and prints the key once. It cannot be shown again.
 * `--admin` is `--scopes admin`; without `--scopes` the key gets every scope
 * but admin (and start-up warns about it).
 */
runCli(async () => {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      'expires-in': { type: 'string' },
      admin: { type: 'boolean', default: false },
    },
  });
  const name = values.name?.trim();
  if (!name || !KEY_NAME.test(name)) throw new CliUsageError(USAGE);
  const listed = parseScopesArg(values.scopes);
  const scopes = values.admin === true ? [...(listed ?? []), 'admin' as const] : listed;
  const expiresAt = parseExpiresInArg(values['expires-in']);
  const context = await createCliContext([DatabaseModule, ApiKeysModule]);
  const created = await context
    .get(ApiKeysService)
    .create(name, { scopes, expiresAt })
    .catch((error: unknown) => {
      throw error instanceof ApiKeyNameTakenError ? new CliUsageError(error.message) : error;
    });
  const { id, key } = created;
  const what = scopes === null ? 'every scope but admin (no --scopes)' : scopes.join(', ');
  const until = expiresAt === null ? 'never expires' : `expires ${expiresAt.toISOString()}`;
  process.stdout.write(
    `Created API key "${name}" with id ${id}: ${what}; ${until}.\nKey (shown once, store it now):\n${key}\n`,
  );
  await context.close();
});
