import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, QueryFailedError } from 'typeorm';
import { SqlDialect, sqlFor } from './sql-dialect';

/** Real SQLite file, as the app opens it: the dialect runs statements on TypeORM's one connection itself. */
describe(SqlDialect.name, () => {
  let dir: string;
  let dataSource: DataSource;
  let dialect: SqlDialect;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portico-sql-'));
    dataSource = new DataSource({ type: 'better-sqlite3', database: join(dir, 'sql.sqlite') });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE things (name TEXT PRIMARY KEY, at TEXT, flag INTEGER)');
    dialect = new SqlDialect(dataSource);
  });
  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds dates and booleans as TypeORM writes them, and returns RETURNING rows and the affected count', async () => {
    const at = new Date('2026-11-30T05:00:00.123Z');
    const inserted = await dialect.execute(
      dataSource.manager,
      'INSERT INTO things (name, at, flag) VALUES (?, ?, ?) RETURNING name, at, flag',
      ['a', at, true],
    );
    expect(inserted.records).toEqual([{ name: 'a', at: '2026-11-30 05:00:00.123', flag: 1 }]);
    const updated = await dialect.execute(dataSource.manager, 'UPDATE things SET flag = ? WHERE name = ?', [
      false,
      'a',
    ]);
    expect(updated.affected).toBe(1);
    expect(await sqlFor(dataSource)<{ flag: number }>`SELECT flag FROM things WHERE name = ${'a'}`).toEqual([
      { flag: 0 },
    ]);
  });

  it('reports a failing statement as a QueryFailedError, as TypeORM does', async () => {
    await dialect.execute(dataSource.manager, 'INSERT INTO things (name) VALUES (?)', ['a']);
    await expect(dialect.execute(dataSource.manager, 'INSERT INTO things (name) VALUES (?)', ['a'])).rejects.toThrow(
      QueryFailedError,
    );
  });

  it('runs inside the open transaction, and is undone with it', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await sqlFor(dataSource, manager)`INSERT INTO things (name) VALUES (${'in-tx'})`;
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await dataSource.query('SELECT name FROM things')).toEqual([]);
  });
});
