import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/core/database/migrations';
import { type AppProcess, spawnApp } from '../support/app-process';
import { testEngine, testEnv } from '../support/app';

/** name → how many times the migrations table recorded it. */
async function appliedMigrations(env: Record<string, string>): Promise<Record<string, number>> {
  const sql = 'SELECT name, count(*) AS runs FROM migrations GROUP BY name';
  const dataSource = await new DataSource(
    testEngine() === 'postgres'
      ? { type: 'postgres', url: env.DATABASE_URL }
      : { type: 'better-sqlite3', database: join(env.DATA_DIR, 'portico.sqlite') },
  ).initialize();
  const rows: Array<{ name: string; runs: string | number }> = await dataSource.query(sql);
  await dataSource.destroy();
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.runs)]));
}

describe('two instances starting together on one empty database', () => {
  let instances: AppProcess[] = [];
  afterEach(async () => {
    for (const instance of instances) instance.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.exited));
    instances = [];
  });

  it('both become ready and every migration is applied exactly once', async () => {
    const env = await testEnv({ env: { LOG_LEVEL: 'info' } });
    instances = await Promise.all([spawnApp(env), spawnApp(env)]);
    for (const instance of instances) {
      const res = await fetch(`${instance.url}/health/ready`);
      expect(res.status).toBe(200);
    }
    const expected = Object.fromEntries(MIGRATIONS.map((migration) => [migration.name, 1]));
    expect(await appliedMigrations(env)).toEqual(expected);
    // Neither instance hit an error on the way (a lost race shows as a failed CREATE TABLE and a retry).
    for (const instance of instances) expect(instance.output()).not.toMatch(/"level":(50|60)/);
    // Two processes compile and boot the whole app at once: slow on a busy 2-core machine.
  }, 120_000);
});
