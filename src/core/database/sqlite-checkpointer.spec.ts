import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { SQLITE_AUTOCHECKPOINT_PAGES, buildDataSourceOptions } from './data-source.options';
import { type CheckpointResult, SqliteCheckpointer } from './sqlite-checkpointer';

/** Real SQLite file opened as the app opens it (WAL, the app's pragmas). */
describe(SqliteCheckpointer.name, () => {
  let dir: string;
  let file: string;
  let dataSource: DataSource;
  let sut: SqliteCheckpointer;

  const autocheckpoint = async (): Promise<number> =>
    Number(
      (await dataSource.query<Array<{ wal_autocheckpoint: number }>>('PRAGMA wal_autocheckpoint'))[0]
        .wal_autocheckpoint,
    );
  /** Rows a copy of the database file alone holds (what a file-level backup without the WAL would keep). */
  const rowsInFileAlone = async (): Promise<number> => {
    const copy = join(dir, `copy-${Date.now()}.sqlite`);
    copyFileSync(file, copy);
    const reader = new DataSource({ type: 'better-sqlite3', database: copy, readonly: true });
    await reader.initialize();
    try {
      return Number((await reader.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM things'))[0].n);
    } finally {
      await reader.destroy();
    }
  };
  const insertRows = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i += 1) await dataSource.query('INSERT INTO things (name) VALUES (?)', [`thing-${i}`]);
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portico-ckpt-'));
    file = join(dir, 'portico.sqlite');
    dataSource = new DataSource(
      buildDataSourceOptions({
        engine: 'sqlite',
        url: undefined,
        sqlitePath: file,
        migrate: false,
        poolSize: 1,
        preparedStatements: true,
        logging: false,
        ssl: false,
      }),
    );
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE things (name TEXT PRIMARY KEY)');
    await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)'); // the empty table is in the file itself
    sut = new SqliteCheckpointer(dataSource);
  });
  afterEach(async () => {
    await sut.onApplicationShutdown();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes checkpoints off the app’s connection and copies the WAL into the file on its own thread', async () => {
    sut.onApplicationBootstrap();
    expect(await autocheckpoint()).toBe(0);
    await insertRows(50);
    expect(await rowsInFileAlone()).toBe(0); // still only in the WAL

    const result = await sut.checkpoint();

    expect(result).toEqual({ busy: 0, log: expect.any(Number), checkpointed: result?.log, restarted: false });
    expect(result?.log).toBeGreaterThan(0);
    expect(await rowsInFileAlone()).toBe(50);
  });

  it('checkpoints by itself while the app runs', async () => {
    sut.onApplicationBootstrap();
    await insertRows(20);
    const deadline = Date.now() + 10_000;
    while ((await rowsInFileAlone()) < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await rowsInFileAlone()).toBe(20);
  });

  it('starts the WAL over under a steady stream of commits, where SQLite alone lets it grow', async () => {
    sut.onApplicationBootstrap();
    let n = 0;
    /** Commits rows back to back while it checkpoints `rounds` times; what each checkpoint found. */
    const underLoad = async (restartAbovePages: number, rounds: number): Promise<CheckpointResult[]> => {
      let writing = true;
      const writer = (async () => {
        while (writing) {
          await dataSource.query('INSERT INTO things (name) VALUES (?)', [`${n++}-${'x'.repeat(2_000)}`]);
          await new Promise((resolve) => setImmediate(resolve)); // the thread's answers are read between commits
        }
      })();
      const results: CheckpointResult[] = [];
      for (let round = 0; round < rounds; round += 1) {
        const result = await sut.checkpoint(restartAbovePages);
        if (result !== undefined) results.push(result);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      writing = false;
      await writer;
      return results;
    };
    const medianFrames = (results: CheckpointResult[]): number => {
      const frames = results.map((result) => result.log).sort((a, b) => a - b);
      return frames[Math.floor(frames.length / 2)];
    };

    // A commit lands while each checkpoint runs, so no write ever begins with the whole WAL copied back.
    const alone = await underLoad(Number.POSITIVE_INFINITY, 12);
    expect(alone.some((result) => result.restarted)).toBe(false);
    expect(alone[alone.length - 1].log).toBe(Math.max(...alone.map((result) => result.log))); // it only grew
    await sut.checkpoint(0); // the next write starts over: the second run begins from an empty WAL too
    const restarting = await underLoad(100, 12);

    expect(restarting.filter((result) => result.restarted).length).toBeGreaterThan(1);
    expect(medianFrames(restarting)).toBeLessThan(medianFrames(alone) / 2);
    // Each checkpoint that ran copied every frame back: the file alone holds every row committed before it.
    const ran = restarting.filter((result) => result.busy === 0);
    expect(ran.every((result) => result.checkpointed === result.log)).toBe(true);
  });

  it('shows the WAL’s size and its restarts on /metrics', async () => {
    const registry = new Registry();
    const measured = new SqliteCheckpointer(dataSource, registry);
    const value = async (name: string): Promise<number | undefined> =>
      (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
    try {
      measured.onApplicationBootstrap();
      await insertRows(30);

      const kept = await measured.checkpoint(); // well under the limit: copied back, not restarted
      expect(kept?.restarted).toBe(false);
      expect(await value('sqlite_wal_frames')).toBe(kept?.log);
      expect(await value('sqlite_wal_restarts_total')).toBe(0);

      const restarted = await measured.checkpoint(0);
      expect(restarted?.restarted).toBe(true);
      expect(await value('sqlite_wal_restarts_total')).toBe(1);
      await dataSource.query("INSERT INTO things (name) VALUES ('after the restart')"); // starts the WAL over
      const after = await measured.checkpoint();
      expect(after?.log).toBeLessThan(kept?.log ?? 0);
      expect(await value('sqlite_wal_frames')).toBe(after?.log);
    } finally {
      await measured.onApplicationShutdown();
    }
  });

  it('hands checkpoints back to the app’s commits when it stops', async () => {
    sut.onApplicationBootstrap();
    await sut.onApplicationShutdown();

    expect(await autocheckpoint()).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
    await expect(sut.checkpoint()).resolves.toBeUndefined();
  });

  it('runs no thread for an in-memory database', async () => {
    const memory = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await memory.initialize();
    const checkpointer = new SqliteCheckpointer(memory);
    checkpointer.onApplicationBootstrap();
    await expect(checkpointer.checkpoint()).resolves.toBeUndefined();
    await checkpointer.onApplicationShutdown();
    await memory.destroy();
  });
});
