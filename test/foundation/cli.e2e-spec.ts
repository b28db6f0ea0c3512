import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import EchoFixtureModule from '../support/fixtures/echo.module';
import { applyEnv, startTestApp, testEnv } from '../support/app';
import { eventually } from '../support/eventually';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

async function cli(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'src', 'cli', script), ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('command-line tools', () => {
  it('apikey:create prints a key once, stores only its hash, and the app accepts it', async () => {
    const env = await testEnv();
    const created = await cli('apikey-create.ts', ['--name', 'ci', '--admin'], env);
    expect(created.code).toBe(0);
    const key = /^(pk_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    expect(key).toBeDefined();

    const again = await cli('apikey-create.ts', ['--name', 'ci'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);

    const t = await startTestApp({ env, extraModules: [EchoFixtureModule] });
    try {
      await request(t.url).get('/test-fixtures/admin').set('Authorization', `Bearer ${key}`).expect(200);
      await request(t.url).get('/test-fixtures/admin').set('Authorization', 'Bearer pk_wrong').expect(401);
    } finally {
      await t.close();
    }
  });

  it('apikey:create with scopes and expiry, apikey:list shows it, apikey:revoke cuts it off', async () => {
    const env = await testEnv();
    const created = await cli(
      'apikey-create.ts',
      ['--name', 'billing', '--scopes', 'payments:write,payments:manage', '--expires-in', '90d'],
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/payments:write, payments:manage; expires \d{4}-/);
    const key = /^(pk_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1] as string;
    const bad = await cli('apikey-create.ts', ['--name', 'x', '--scopes', 'payments:everything'], env);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/--scopes must list/)]);

    const listed = await cli('apikey-list.ts', [], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^name\s+scopes\s+source\s+created\s+last used\s+expires\s+revoked$/m);
    expect(listed.stdout).toMatch(/^billing\s+payments:write,payments:manage\s+cli\s+\S+\s+-\s+\d{4}-\S+\s+-$/m);
    expect(listed.stdout).not.toContain(key);

    const t = await startTestApp({ env });
    try {
      // Past the guard: the empty body is refused by validation, not the key.
      await request(t.url).post('/payments/intents').set('X-Api-Key', key).send({}).expect(400);
      const refused = await request(t.url).get('/payments').set('X-Api-Key', key);
      expect([refused.status, refused.body.missingScopes]).toEqual([403, ['payments:read']]);
      const revoked = await cli('apikey-revoke.ts', ['--name', 'billing'], env);
      expect(revoked.code).toBe(0);
      // The running app's cache remembers an accepted key for at most 5 s.
      await eventually(
        async () =>
          (await request(t.url).post('/payments/intents').set('X-Api-Key', key).send({})).status === 401
            ? true
            : undefined,
        10_000,
        'revoked key refused',
      );
    } finally {
      await t.close();
    }
  }, 180_000);

  it('apikey:create refuses a missing or malformed name', async () => {
    const env = await testEnv();
    const result = await cli('apikey-create.ts', ['--name', 'bad name!'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage/);
  });

  it('migration run, revert and show work on the configured database', async () => {
    const env = await testEnv();
    const first = await cli('migrate.ts', ['run'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied CreateApiKeys/);
    expect((await cli('migrate.ts', ['run'], env)).stdout).toMatch(/No pending migrations/);
    expect((await cli('migrate.ts', ['show'], env)).stdout).toMatch(/up to date/);
    const reverted = await cli('migrate.ts', ['revert'], env);
    expect(reverted.code).toBe(0);
    expect((await cli('migrate.ts', ['show'], env)).stdout).toMatch(/pending/);
  });

  it('with DATABASE_MIGRATE=false the app starts without touching the schema', async () => {
    const env = await testEnv({ env: { DATABASE_MIGRATE: 'false' } });
    applyEnv(env);
    const t = await startTestApp({ env });
    try {
      // No api_keys table: readiness still answers (the database is up), the guard cannot find keys.
      const ready = await request(t.url).get('/health/ready').expect(200);
      expect(ready.body.details.database.status).toBe('up');
    } finally {
      await t.close();
    }
    const show = await cli('migrate.ts', ['show'], env);
    expect(show.stdout).toMatch(/pending/);
  });
});
