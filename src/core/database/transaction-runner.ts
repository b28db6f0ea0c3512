import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { isSqliteBusy } from './driver-errors';
import { SqlDialect } from './sql-dialect';

/** The transaction the current async context runs in; `open` turns false when it ends. */
interface OpenTransaction {
  readonly dataSource: DataSource;
  readonly manager: EntityManager;
  open: boolean;
  /** `afterCommit` callbacks, run once it commits; dropped when it rolls back. */
  readonly committed: Array<() => void>;
}

/** One caller's work waiting for SQLite's connection. */
interface Unit {
  /** `run` (all or nothing) or `write` (no atomicity asked for). */
  readonly atomic: boolean;
  readonly work: (manager: EntityManager) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly committed: Array<() => void>;
}

const logger = new Logger('TransactionRunner');

/** Runs `afterCommit` callbacks; one that throws is logged, and neither stops the others nor fails the committed work. */
function runCommitted(callbacks: ReadonlyArray<() => void>): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch (error) {
      logger.error({ err: error }, 'An after-commit callback failed');
    }
  }
}

/**
 * At most this many callers share one commit: bounds how long the others
 * wait for the connection while a group runs.
 */
const MAX_GROUP = 128;

/** How long a busy write lock is polled every millisecond before every 10. */
const LOCK_POLL_FAST_MS = 100;

/** Another connection (another process) holds SQLite's write lock; nothing ran. */
class WriteLockBusy extends Error {
  constructor(override readonly cause: unknown) {
    super('SQLite write lock busy');
  }
}

/**
 * The one way to run multi-statement work atomically, and (on SQLite) to
 * write outside a transaction without landing inside someone else's.
 *
 * PostgreSQL: `run` is an ordinary transaction on its own pooled connection;
 * `write` runs at once.
 *
 * On both, `run` and `write` called inside a `run` (same async context) join
 * it, so services compose into one transaction without passing managers
 * around, and `afterCommit` defers what must follow the commit (kicking a
 * queue, an in-process event) until the outermost one commits.
 *
 * SQLite: TypeORM's better-sqlite3 driver shares ONE connection between all
 * callers, so a transaction that awaits anything lets every other caller's
 * statements run inside it — a ROLLBACK then undoes their acknowledged
 * writes, and a second BEGIN in the same tick fails. Here transactions and
 * writes on a data source form one queue: a transaction has the connection
 * to itself from BEGIN to COMMIT, and a write waits for it. Reads are not
 * queued (WAL readers never block). Work already inside a transaction (same
 * async context) joins it instead of waiting for itself.
 *
 * Group commit (SQLite): the queue is drained once per turn of the event
 * loop, and the callers waiting then share one transaction, each inside its
 * own SAVEPOINT (a `run`) or statement (a `write`) — a caller's failure
 * rolls back only its own work, and every caller's promise settles after
 * the one COMMIT. In this VM a commit costs
 * more than the statements it commits (WAL writes and locks are system
 * calls), so under load a burst of webhook inserts or queue updates pays for
 * one instead of one each. A lone caller gets a transaction of its own (a
 * lone write too: that is how the queue waits for another process's lock
 * without blocking the event loop; see `takeWriteLock`).
 */
@Injectable()
export class TransactionRunner {
  private static readonly context = new AsyncLocalStorage<OpenTransaction>();
  /** One queue per data source, shared by every runner over it (the connection is what is shared). */
  private static readonly queues = new WeakMap<DataSource, SqliteQueue>();
  private readonly postgres: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  /**
   * Runs `work` in a transaction: everything it does through `manager`
   * commits together or not at all.
   * @example
   * await transactions.run(async (manager) => { await manager.query(update); await manager.query(history); });
   */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.current();
    if (current !== undefined) return work(current.manager);
    if (this.postgres) return this.runOnPostgres(work);
    return this.queue().enqueue(work, true);
  }

  /**
   * Runs `work` as one unit where that costs nothing, without asking for
   * atomicity. SQLite: a `run` — its reads see no other caller's uncommitted
   * writes on the shared connection, and its writes share one commit.
   * PostgreSQL: its statements run on their own, each committing; a
   * transaction around them would cost two more round trips (BEGIN, COMMIT).
   * For work whose steps are each atomic and safe to repeat in order: a retry
   * after a crash between two of them finds the first one done.
   */
  batch<T>(work: () => Promise<T>): Promise<T> {
    return this.postgres ? work() : this.run(() => work());
  }

  /**
   * Runs a single write (one statement, or several that need not be atomic)
   * outside any transaction; on SQLite it waits until no transaction is open,
   * so no rollback can take it along.
   */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.current();
    if (current !== undefined) return work(current.manager);
    if (this.postgres) return work(this.dataSource.manager);
    return this.queue().enqueue(work, false);
  }

  /**
   * The manager of the transaction the caller is in, else the data source's:
   * for a read that must see the caller's own uncommitted writes (on
   * PostgreSQL another pooled connection would not).
   */
  manager(): EntityManager {
    return this.current()?.manager ?? this.dataSource.manager;
  }

  /**
   * Runs `callback` once the transaction the caller is in has committed (at
   * once when it is in none); never when it rolls back. For what must not
   * happen before the change is visible, or at all without it.
   * @example
   * await transactions.run(async (manager) => { await markPaid(manager); transactions.afterCommit(() => queue.kick()); });
   */
  afterCommit(callback: () => void): void {
    const current = this.current();
    if (current === undefined) runCommitted([callback]);
    else current.committed.push(callback);
  }

  private async runOnPostgres<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const committed: Array<() => void> = [];
    const value = await this.dataSource.transaction((manager) => {
      const tx: OpenTransaction = { dataSource: this.dataSource, manager, open: true, committed };
      return TransactionRunner.context.run(tx, () => work(manager)).finally(() => (tx.open = false));
    });
    runCommitted(committed);
    return value;
  }

  private current(): OpenTransaction | undefined {
    const tx = TransactionRunner.context.getStore();
    return tx !== undefined && tx.open && tx.dataSource === this.dataSource ? tx : undefined;
  }

  private queue(): SqliteQueue {
    let queue = TransactionRunner.queues.get(this.dataSource);
    if (queue === undefined) {
      queue = new SqliteQueue(this.dataSource, TransactionRunner.context);
      TransactionRunner.queues.set(this.dataSource, queue);
    }
    return queue;
  }
}

/** SQLite's one connection, handed to waiting callers a group at a time (see TransactionRunner). */
class SqliteQueue {
  private pending: Unit[] = [];
  private draining = false;
  /** See `takeWriteLock` (the table is found on first use). */
  private lockStatement?: string;
  /** When the queue first found another process holding the write lock, while it still does. */
  private busySince?: number;
  private busyTimeout?: number;
  private readonly dialect: SqlDialect;

  constructor(
    private readonly dataSource: DataSource,
    private readonly context: AsyncLocalStorage<OpenTransaction>,
  ) {
    this.dialect = new SqlDialect(dataSource);
  }

  enqueue<T>(work: (manager: EntityManager) => Promise<T>, atomic: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ atomic, work, resolve: resolve as (value: unknown) => void, reject, committed: [] });
      if (this.draining) return;
      this.draining = true;
      // After this turn's I/O callbacks: every request that reached its write in this turn joins the group.
      setImmediate(() => void this.drain());
    });
  }

  /**
   * One group per turn of the event loop. Callers that follow up on their
   * result (a handler's next step) wait for the next turn too: between two
   * groups, requests get read, so a busy worker cannot hold the connection
   * in a chain of promises while intake waits.
   */
  private async drain(): Promise<void> {
    const units = this.pending.splice(0, MAX_GROUP);
    let lockBusy = false;
    try {
      if (units.length > 0) lockBusy = await this.group(units);
    } finally {
      if (lockBusy) setTimeout(() => void this.drain(), this.retryDelay());
      else if (this.pending.length > 0) setImmediate(() => void this.drain());
      else this.draining = false;
    }
  }

  /**
   * One transaction; each `run` unit in its own SAVEPOINT, unless it is
   * alone (then the transaction is its own). A `write` unit needs none: a
   * failing statement undoes only itself in SQLite, and a write asks for no
   * atomicity beyond that. Results are handed out after the COMMIT.
   * Resolves true when another process held the write lock: the units are
   * back at the head of the queue, to be tried again shortly.
   */
  private async group(units: Unit[]): Promise<boolean> {
    const done: Array<{ unit: Unit; value: unknown }> = [];
    const alone = units.length === 1;
    let started = 0;
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.takeWriteLock(manager);
        this.busySince = undefined;
        for (const unit of units) {
          started += 1;
          if (alone && unit.atomic) {
            done.push({ unit, value: await this.inside(manager, unit) }); // a failure rolls back the transaction
          } else if (!unit.atomic) {
            try {
              done.push({ unit, value: await this.inside(manager, unit) });
            } catch (error) {
              unit.reject(error);
            }
          } else {
            await this.statement(manager, 'SAVEPOINT portico_unit');
            try {
              const value = await this.inside(manager, unit);
              await this.statement(manager, 'RELEASE portico_unit');
              done.push({ unit, value });
            } catch (error) {
              await this.statement(manager, 'ROLLBACK TO portico_unit');
              await this.statement(manager, 'RELEASE portico_unit');
              unit.reject(error);
            }
          }
          // Some errors (disk full, I/O) make SQLite roll the whole transaction back: stop here, fail them all.
          if (!this.dialect.sqliteInTransaction()) throw new Error('SQLite ended the group transaction');
        }
      });
    } catch (error) {
      if (error instanceof WriteLockBusy) return this.waitForLock(units, error.cause);
      // The transaction itself failed (COMMIT, or SQLite ended it): nothing in it is stored.
      for (const { unit } of done) unit.reject(error);
      const current = units[started - 1];
      if (current !== undefined && !done.some((entry) => entry.unit === current)) current.reject(error);
      // Callers whose turn had not come run in the next group.
      this.pending.unshift(...units.slice(started));
      return false;
    }
    for (const { unit, value } of done) {
      runCommitted(unit.committed);
      unit.resolve(value);
    }
    return false;
  }

  /**
   * Puts `units` back to try again, or fails them once the lock has been
   * busy for the connection's busy_timeout (as SQLite's own wait would).
   */
  private waitForLock(units: Unit[], cause: unknown): boolean {
    this.busySince ??= Date.now();
    if (Date.now() - this.busySince < this.busyTimeoutMs()) {
      this.pending.unshift(...units);
      return true;
    }
    this.busySince = undefined;
    for (const unit of units) unit.reject(cause);
    return false;
  }

  /** Polls often at first (another process's commit is usually a few ms away), then less. */
  private retryDelay(): number {
    const waited = this.busySince === undefined ? 0 : Date.now() - this.busySince;
    return waited < LOCK_POLL_FAST_MS ? 1 : 10;
  }

  /** The connection's busy_timeout, read once (data-source.options sets it). */
  private busyTimeoutMs(): number {
    this.busyTimeout ??= Number(this.dialect.sqlitePragma('busy_timeout'));
    return this.busyTimeout;
  }

  /**
   * Makes the transaction a writer from its first statement. TypeORM begins
   * transactions DEFERRED: one whose first statement reads and a later one
   * writes fails at once with SQLITE_BUSY ("database is locked", no busy
   * wait) when another process (PORTICO_ROLE) wrote in between. A write
   * first takes the snapshot and the lock together. It changes nothing and
   * adds nothing to the WAL.
   *
   * It does not wait in SQLite's busy handler: that sleeps the whole event
   * loop, 1, 2, 5, 10, 15, 20, 25 … ms between tries, while another
   * process's transactions keep taking the lock in between. With an api and
   * a worker process on one file, intake stalled for 20–330 ms that way
   * about once a second. Here the statement answers SQLITE_BUSY at once
   * (WriteLockBusy), the transaction rolls back having done nothing, and the
   * queue tries again a millisecond later — requests keep being read
   * meanwhile, and join the group that gets the lock.
   */
  private async takeWriteLock(manager: EntityManager): Promise<void> {
    if (this.lockStatement === undefined) {
      const preferred = this.dataSource.options.migrationsTableName ?? 'migrations';
      const result = await this.dialect.run(
        manager,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name = ? DESC LIMIT 1",
        [preferred],
      );
      const table = (result.records as Array<{ name: string }> | undefined)?.[0]?.name;
      // No table yet (a new database): nothing to read before writing either.
      if (table === undefined || table.includes('"')) return;
      this.lockStatement = `DELETE FROM "${table}" WHERE 0`;
    }
    const timeout = this.busyTimeoutMs();
    await this.statement(manager, 'PRAGMA busy_timeout = 0');
    try {
      await this.statement(manager, this.lockStatement);
    } catch (error) {
      throw isSqliteBusy(error) ? new WriteLockBusy(error) : error;
    } finally {
      await this.statement(manager, `PRAGMA busy_timeout = ${timeout}`);
    }
  }

  private statement(manager: EntityManager, sql: string): Promise<unknown> {
    return this.dialect.run(manager, sql, []);
  }

  /** Runs `unit` as the open transaction of its async context, so nested `run`/`write` calls join it. */
  private inside(manager: EntityManager, unit: Unit): Promise<unknown> {
    const tx: OpenTransaction = { dataSource: this.dataSource, manager, open: true, committed: unit.committed };
    return this.context.run(tx, () => unit.work(manager)).finally(() => (tx.open = false));
  }
}
