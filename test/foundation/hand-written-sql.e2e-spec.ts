import type { DataSource } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import { SqlDialect, sqlFor } from '../../src/core/database/sql-dialect';
import { testEngine, testEnv } from '../support/app';
import { openAppDatabase } from '../support/app-database';

/**
 * The hand-written hot-path SQL (`SqlDialect`) on the app's engine. On
 * PostgreSQL it runs as named prepared statements: these tests hold it to
 * what an operator would see (rolling deploys, poolers, server memory).
 */
describe('hand-written SQL', () => {
  const open: DataSource[] = [];
  afterEach(async () => {
    for (const ds of open.splice(0)) await ds.destroy();
  });

  /** One pooled connection, so every statement runs where the previous one was prepared. */
  async function database(preparedStatements = true): Promise<{ ds: DataSource; dialect: SqlDialect }> {
    const ds = await openAppDatabase(await testEnv(), { poolSize: 1, preparedStatements });
    open.push(ds);
    await ds.query('CREATE TABLE jobs (id VARCHAR(36) PRIMARY KEY, status VARCHAR(16) NOT NULL)');
    await ds.query("INSERT INTO jobs (id, status) VALUES ('j1', 'pending')");
    return { ds, dialect: new SqlDialect(ds) };
  }

  /** The statement under test, its text distinct per test: names are per process, and a stale one is retired. */
  const claimIn = (test: string): string => `/* ${test} */ UPDATE jobs SET status = ? WHERE id = ? RETURNING *`;

  it('keeps running a statement after a newer release adds a column to its table (a rolling deploy)', async () => {
    const claim = claimIn('rolling deploy');
    const { ds, dialect } = await database();
    expect((await dialect.execute(ds.manager, claim, ['processing', 'j1'])).records).toEqual([
      { id: 'j1', status: 'processing' },
    ]);
    await ds.query("ALTER TABLE jobs ADD COLUMN note VARCHAR(16) NOT NULL DEFAULT 'new'");
    expect((await dialect.execute(ds.manager, claim, ['done', 'j1'])).records).toEqual([
      { id: 'j1', status: 'done', note: 'new' },
    ]);
    expect((await dialect.execute(ds.manager, claim, ['again', 'j1'])).records).toEqual([
      { id: 'j1', status: 'again', note: 'new' },
    ]);
  });

  if (testEngine() !== 'postgres') return;

  const prepared = async (ds: DataSource): Promise<string[]> =>
    (await sqlFor(ds)<{ statement: string }>`SELECT statement FROM pg_prepared_statements ORDER BY statement`).map(
      (row) => row.statement,
    );

  it('prepares each statement once on the connection and reuses it', async () => {
    const claim = claimIn('reuse');
    const { ds, dialect } = await database();
    for (const status of ['a', 'b', 'c']) await dialect.execute(ds.manager, claim, [status, 'j1']);
    const statements = await prepared(ds);
    expect(statements.filter((text) => text.includes('UPDATE jobs'))).toEqual([
      '/* reuse */ UPDATE jobs SET status = $1 WHERE id = $2 RETURNING *',
    ]);
  });

  it('with DATABASE_PREPARED_STATEMENTS=false prepares nothing on the server (PgBouncer in transaction mode)', async () => {
    const claim = claimIn('unprepared');
    const { ds, dialect } = await database(false);
    expect((await dialect.execute(ds.manager, claim, ['processing', 'j1'])).records).toEqual([
      { id: 'j1', status: 'processing' },
    ]);
    expect(await prepared(ds)).toEqual([]);
  });

  it('fails a transaction whose statement went stale once; the retried transaction commits', async () => {
    const claim = claimIn('stale in transaction');
    const { ds, dialect } = await database();
    await dialect.execute(ds.manager, claim, ['processing', 'j1']);
    await ds.query("ALTER TABLE jobs ADD COLUMN note VARCHAR(16) NOT NULL DEFAULT 'new'");
    const attempt = (): Promise<unknown> =>
      ds.transaction((manager) => dialect.execute(manager, claim, ['done', 'j1']).then((r) => r.records));
    await expect(attempt()).rejects.toThrow(QueryFailedError);
    expect(await ds.query("SELECT status FROM jobs WHERE id = 'j1'")).toEqual([{ status: 'processing' }]);
    await expect(attempt()).resolves.toEqual([{ id: 'j1', status: 'done', note: 'new' }]);
  });

  it('prepares at most 200 statements when a caller builds new SQL text on every call', async () => {
    const { ds, dialect } = await database();
    for (let i = 0; i < 250; i++) {
      const result = await dialect.execute(ds.manager, `SELECT CAST(? AS INTEGER) + ${i} AS n`, [1]);
      expect(result.records).toEqual([{ n: i + 1 }]);
    }
    // The map of names is per process: earlier tests' statements count towards the limit too.
    expect((await prepared(ds)).length).toBeLessThanOrEqual(200);
  });
});
