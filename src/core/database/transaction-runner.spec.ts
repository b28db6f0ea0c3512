import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TransactionRunner } from './transaction-runner';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Real SQLite file, as the app opens it (TypeORM's better-sqlite3 driver, one shared connection). */
describe(TransactionRunner.name, () => {
  let dir: string;
  let dataSource: DataSource;
  let sut: TransactionRunner;
  const names = async (): Promise<string[]> =>
    (await dataSource.query<Array<{ name: string }>>('SELECT name FROM things ORDER BY name')).map((r) => r.name);
  const insert = (name: string) => (manager: DataSource['manager']) =>
    manager.query('INSERT INTO things (name) VALUES (?)', [name]);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portico-tx-'));
    dataSource = new DataSource({ type: 'better-sqlite3', database: join(dir, 'tx.sqlite') });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE things (name TEXT PRIMARY KEY)');
    sut = new TransactionRunner(dataSource);
  });
  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the hazard (TypeORM alone, what the code did before)', () => {
    it('a rolled-back transaction takes another caller’s acknowledged write with it', async () => {
      const failing = dataSource
        .transaction(async (manager) => {
          await insert('in-tx')(manager);
          await pause(20); // e.g. an awaited provider call
          throw new Error('handler failed');
        })
        .catch(() => 'rolled back');
      await pause(5);
      await insert('acknowledged')(dataSource.manager); // another request: "stored", answers 200
      expect(await failing).toBe('rolled back');
      expect(await names()).toEqual([]); // the acknowledged write is gone
    });

    it('two transactions started in the same tick do not both commit', async () => {
      const results = await Promise.allSettled([
        dataSource.transaction(insert('a')),
        dataSource.transaction(insert('b')),
      ]);
      expect(results.some((r) => r.status === 'rejected')).toBe(true);
    });
  });

  it('a write issued while a transaction is open survives that transaction’s rollback', async () => {
    const failing = sut
      .run(async (manager) => {
        await insert('in-tx')(manager);
        await pause(20);
        throw new Error('handler failed');
      })
      .catch(() => 'rolled back');
    await pause(5);
    await sut.write(insert('acknowledged'));
    expect(await failing).toBe('rolled back');
    expect(await names()).toEqual(['acknowledged']);
  });

  it('runs transactions started in the same tick one after the other; both commit', async () => {
    await Promise.all([sut.run(insert('a')), sut.run(insert('b')), sut.write(insert('c'))]);
    expect(await names()).toEqual(['a', 'b', 'c']);
  });

  it('commits all of a transaction or nothing', async () => {
    await expect(
      sut.run(async (manager) => {
        await insert('first')(manager);
        await insert('first')(manager); // primary key violation
      }),
    ).rejects.toThrow(/UNIQUE/);
    await sut.run(async (manager) => {
      await insert('x')(manager);
      await insert('y')(manager);
    });
    expect(await names()).toEqual(['x', 'y']);
  });

  it('joins the open transaction instead of waiting for itself (no deadlock), and rolls back with it', async () => {
    await expect(
      sut.run(async (manager) => {
        await insert('outer')(manager);
        await sut.write(insert('nested-write'));
        await sut.run(insert('nested-run'));
        throw new Error('undo all');
      }),
    ).rejects.toThrow('undo all');
    expect(await names()).toEqual([]);
  });

  it('shares one queue between runners over the same data source', async () => {
    const other = new TransactionRunner(dataSource);
    const failing = sut
      .run(async (manager) => {
        await insert('in-tx')(manager);
        await pause(20);
        throw new Error('x');
      })
      .catch(() => undefined);
    await pause(5);
    await other.write(insert('other'));
    await failing;
    expect(await names()).toEqual(['other']);
  });

  it('work started inside a transaction but running after it ends does not join it', async () => {
    let later: Promise<unknown> = Promise.resolve();
    await sut.run(async (manager) => {
      await insert('tx')(manager);
      later = pause(10).then(() => sut.write(insert('after')));
    });
    await later;
    expect(await names()).toEqual(['after', 'tx']);
  });

  describe('group commit', () => {
    let commits: number;
    beforeEach(() => {
      commits = 0;
      dataSource.subscribers.push({ afterTransactionCommit: () => void (commits += 1) });
    });

    it('callers waiting in the same turn share one commit; a failing one undoes only its own work', async () => {
      const results = await Promise.allSettled([
        sut.write(insert('a')),
        sut.run(async (manager) => {
          await insert('b')(manager);
          await insert('b2')(manager);
          throw new Error('b failed');
        }),
        sut.write(insert('a')), // primary key violation: only this statement fails
        sut.run(async (manager) => {
          await insert('c')(manager);
          await insert('c2')(manager);
        }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect(await names()).toEqual(['a', 'c', 'c2']);
      expect(commits).toBe(1);
    });

    it('batch on SQLite: its steps, one after the other, share one commit (each alone would commit)', async () => {
      await sut.batch(async () => {
        await sut.run(insert('a'));
        await sut.run(insert('b'));
      });
      expect(commits).toBe(1);
      expect(await names()).toEqual(['a', 'b']);
    });

    it('settles no caller before the commit', async () => {
      const order: string[] = [];
      dataSource.subscribers.push({ afterTransactionCommit: () => void order.push('commit') });
      await Promise.all([
        sut.write(insert('x')).then(() => order.push('x settled')),
        sut.write(insert('y')).then(() => order.push('y settled')),
      ]);
      expect(order).toEqual(['commit', 'x settled', 'y settled']);
    });
  });

  it('holds the write lock from its first statement, so another process’s write cannot fail it after it read', async () => {
    await dataSource.query('PRAGMA journal_mode = WAL'); // as the app opens it
    // Another process's connection; its busy handler off, so it reports instead of waiting.
    const other = new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'tx.sqlite'),
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma('busy_timeout = 0');
      },
    });
    await other.initialize();
    try {
      let theirs: unknown;
      await sut.run(async (manager) => {
        await manager.query('SELECT COUNT(*) FROM things'); // reads first
        theirs = await other.query("INSERT INTO things (name) VALUES ('theirs')").then(
          () => 'written',
          (error: { driverError?: { code?: string } }) => error.driverError?.code,
        );
        await insert('mine')(manager);
      });
      expect(theirs).toBe('SQLITE_BUSY'); // with a busy timeout it waits for this commit, then writes
      expect(await names()).toEqual(['mine']);
    } finally {
      await other.destroy();
    }
  });

  describe('another process holding the write lock', () => {
    let other: DataSource;
    beforeEach(async () => {
      await dataSource.query('PRAGMA journal_mode = WAL'); // as the app opens it
      await dataSource.query('PRAGMA busy_timeout = 1000');
      other = new DataSource({ type: 'better-sqlite3', database: join(dir, 'tx.sqlite') });
      await other.initialize();
      await other.query('BEGIN IMMEDIATE'); // the other process's transaction: it holds the lock until COMMIT
      await other.query("INSERT INTO things (name) VALUES ('theirs')");
    });
    afterEach(async () => {
      if (other.isInitialized) await other.destroy();
    });

    it('is waited for without stopping the event loop: timers run, and the write lands once it commits', async () => {
      let settled = false;
      const mine = sut.write(insert('mine')).finally(() => (settled = true));
      const ticks: number[] = [Date.now()];
      const timer = setInterval(() => ticks.push(Date.now()), 5);
      await pause(200);
      clearInterval(timer);
      // SQLite's own busy handler would hold this thread until its busy_timeout (1 s), and this process's COMMIT
      // with it: no timer would run for that long. (Compared with half of it, not with a tick count: on a loaded
      // machine a 5 ms timer can fire far less often without the loop ever being blocked.)
      const longestStall = Math.max(...ticks.slice(1).map((at, i) => at - ticks[i]));
      expect(ticks.length).toBeGreaterThan(1);
      expect(longestStall).toBeLessThan(500);
      expect(settled).toBe(false);
      await other.query('COMMIT');
      await mine;
      expect(await names()).toEqual(['mine', 'theirs']);
    });

    it('fails the waiting callers with SQLITE_BUSY after the connection’s busy_timeout, as SQLite would', async () => {
      await dataSource.query('PRAGMA busy_timeout = 150');
      const fresh = new TransactionRunner(dataSource);
      const started = Date.now();
      const outcomes = await Promise.allSettled([fresh.write(insert('a')), fresh.run(insert('b'))]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(
        outcomes.map((o) =>
          o.status === 'rejected' ? (o.reason as { driverError?: { code?: string } }).driverError?.code : 'ok',
        ),
      ).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
      await other.query('COMMIT');
      await fresh.write(insert('later')); // the queue is usable again
      expect(await names()).toEqual(['later', 'theirs']);
    });
  });

  it('batch on PostgreSQL opens no transaction: its statements run (and commit) on their own', async () => {
    const transaction = jest.fn();
    const postgres = {
      options: { type: 'postgres' },
      transaction,
      manager: dataSource.manager,
    } as unknown as DataSource;
    const runner = new TransactionRunner(postgres);
    await expect(runner.batch(async () => runner.write(insert('pg')))).resolves.toBeDefined();
    expect(transaction).not.toHaveBeenCalled();
    expect(await names()).toEqual(['pg']);
  });

  it('manager() is the caller’s transaction’s inside one, the data source’s outside', async () => {
    await sut.run(async (manager) => {
      expect(sut.manager()).toBe(manager);
    });
    expect(sut.manager()).toBe(dataSource.manager);
  });

  describe('afterCommit', () => {
    /** A second connection: sees only what is committed. */
    let outside: DataSource;
    const committedNames = async (): Promise<string[]> =>
      (await outside.query<Array<{ name: string }>>('SELECT name FROM things ORDER BY name')).map((r) => r.name);

    beforeEach(async () => {
      outside = new DataSource({ type: 'better-sqlite3', database: join(dir, 'tx.sqlite') });
      await outside.initialize();
    });
    afterEach(() => outside.destroy());

    it('runs the callback once the change is committed, and at once outside a transaction', async () => {
      const seen: string[][] = [];
      await sut.run(async (manager) => {
        await insert('a')(manager);
        sut.afterCommit(() => void committedNames().then((names) => seen.push(names)));
        expect(seen).toEqual([]);
      });
      await pause(10);
      expect(seen).toEqual([['a']]);

      let ran = false;
      sut.afterCommit(() => (ran = true));
      expect(ran).toBe(true);
    });

    it('never runs it when the transaction rolls back', async () => {
      let ran = false;
      await expect(
        sut.run(async (manager) => {
          await insert('a')(manager);
          sut.afterCommit(() => (ran = true));
          throw new Error('handler failed');
        }),
      ).rejects.toThrow('handler failed');
      await pause(10);
      expect(ran).toBe(false);
    });

    it('waits for the outermost transaction when the work is nested in another', async () => {
      const order: string[] = [];
      await sut.run(async (manager) => {
        await sut.run(async (inner) => {
          await insert('inner')(inner);
          sut.afterCommit(() => order.push('callback'));
        });
        order.push('inner returned');
        await insert('outer')(manager);
      });
      order.push('outer settled');
      expect(order).toEqual(['inner returned', 'callback', 'outer settled']);
      expect(await committedNames()).toEqual(['inner', 'outer']);
    });

    it('a throwing callback fails neither the committed work nor the callbacks after it', async () => {
      let second = false;
      await expect(
        sut.run(async (manager) => {
          await insert('a')(manager);
          sut.afterCommit(() => {
            throw new Error('listener broke');
          });
          sut.afterCommit(() => (second = true));
          return 'done';
        }),
      ).resolves.toBe('done');
      expect(second).toBe(true);
      expect(await committedNames()).toEqual(['a']);
    });
  });
});
