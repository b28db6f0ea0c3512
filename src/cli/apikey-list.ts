import { DatabaseModule } from '../core/database/database.module';
import { ApiKeysModule } from '../core/security/api-keys/api-keys.module';
import { type ApiKeyView, ApiKeysService } from '../core/security/api-keys/api-keys.service';
import { createCliContext, runCli } from './cli-context';

const COLUMNS = ['name', 'scopes', 'source', 'created', 'last used', 'expires', 'revoked'] as const;

/** `npm run apikey:list`: every key as a table (never a key or its hash). */
runCli(async () => {
  const context = await createCliContext([DatabaseModule, ApiKeysModule]);
  const keys = await context.get(ApiKeysService).list();
  await context.close();
  if (keys.length === 0) {
    process.stdout.write('No API keys. Create one: npm run apikey:create -- --name <name> --scopes <scopes>\n');
    return;
  }
  process.stdout.write(table(keys.map(row)));
});

function row(key: ApiKeyView): string[] {
  const time = (date: Date | null): string => (date === null ? '-' : date.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  return [
    key.name,
    key.scopesListed ? key.scopes.join(',') : `(no list: ${key.scopes.length} scopes, no admin)`,
    key.source,
    time(key.createdAt),
    time(key.lastUsedAt),
    time(key.expiresAt),
    time(key.revokedAt),
  ];
}

function table(rows: string[][]): string {
  const all = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return `${all
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
