import { parseArgs } from 'node:util';
import { DatabaseModule } from '../core/database/database.module';
import { ApiKeysModule } from '../core/security/api-keys/api-keys.module';
import { ApiKeyNotFoundError, ApiKeysService, KEY_CACHE_TTL_MS } from '../core/security/api-keys/api-keys.service';
import { KEY_NAME } from './cli-args';
import { CliUsageError, createCliContext, runCli } from './cli-context';

/**
 * `npm run apikey:revoke -- --name billing`: running instances refuse the key
 * within their cache window (5 s). A key from API_KEYS stays revoked even if
 * it is listed again; remove it from API_KEYS too.
 */
runCli(async () => {
  const { values } = parseArgs({ options: { name: { type: 'string' } } });
  const name = values.name?.trim();
  if (!name || !KEY_NAME.test(name)) throw new CliUsageError('usage: npm run apikey:revoke -- --name <name>');
  const context = await createCliContext([DatabaseModule, ApiKeysModule]);
  const revoked = await context
    .get(ApiKeysService)
    .revoke(name)
    .catch((error: unknown) => {
      throw error instanceof ApiKeyNotFoundError ? new CliUsageError(error.message) : error;
    });
  await context.close();
  process.stdout.write(
    `Revoked API key "${name}" at ${revoked.revokedAt?.toISOString()}; running instances refuse it within ${KEY_CACHE_TTL_MS / 1000} s.\n`,
  );
});
