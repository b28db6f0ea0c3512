import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { MIGRATIONS } from '../../src/core/database/migrations';
import { applyEnv, testEngine, testEnv } from '../support/app';

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

// PostgreSQL is where several instances share one database: there they start at the same moment.
// SQLite is one instance per file: the second starts after the first.
const together = testEngine() === 'postgres';

describe(`two instances on one empty database, started ${together ? 'together' : 'one after the other'}`, () => {
  const apps: NestExpressApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('both become ready and every migration is applied exactly once', async () => {
    const env = await testEnv();
    applyEnv(env);
    if (together) apps.push(...(await Promise.all([createApp(), createApp()])));
    else for (let i = 0; i < 2; i++) apps.push(await createApp());
    for (const app of apps) {
      await app.listen(0, '127.0.0.1');
      const res = await fetch(`${await app.getUrl()}/health/ready`);
      expect(res.status).toBe(200);
    }
    const expected = Object.fromEntries(MIGRATIONS.map((migration) => [migration.name, 1]));
    expect(await appliedMigrations(env)).toEqual(expected);
  });
});
