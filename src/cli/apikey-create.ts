import { parseArgs } from 'node:util';
import { DatabaseModule } from '../core/database/database.module';
import { ApiKeysModule } from '../core/security/api-keys/api-keys.module';
import { ApiKeyNameTakenError, ApiKeysService } from '../core/security/api-keys/api-keys.service';
import { CliUsageError, createCliContext, runCli } from './cli-context';

/**
 * `npm run apikey:create -- --name ci [--admin]`: stores a new key's hash and
 * prints the key once. It cannot be shown again.
 */
runCli(async () => {
  const { values } = parseArgs({ options: { name: { type: 'string' }, admin: { type: 'boolean', default: false } } });
  const name = values.name?.trim();
  if (!name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    throw new CliUsageError('usage: npm run apikey:create -- --name <name: letters, digits, _ . -> [--admin]');
  }
  const context = await createCliContext([DatabaseModule, ApiKeysModule]);
  const created = await context
    .get(ApiKeysService)
    .create(name, values.admin === true)
    .catch((error: unknown) => {
      throw error instanceof ApiKeyNameTakenError ? new CliUsageError(error.message) : error;
    });
  const { id, key } = created;
  process.stdout.write(
    `Created API key "${name}"${values.admin ? ' (admin)' : ''} with id ${id}.\nKey (shown once, store it now):\n${key}\n`,
  );
  await context.close();
});
