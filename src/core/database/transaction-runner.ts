import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/** The transaction the current async context runs in (SQLite only); `open` turns false when it ends. */
interface OpenTransaction {
  readonly dataSource: DataSource;
  readonly manager: EntityManager;
  open: boolean;
}

/**
 * The one way to run multi-statement work atomically, and (on SQLite) to
 * write outside a transaction without landing inside someone else's.
 *
 * PostgreSQL: `run` is an ordinary transaction on its own pooled connection;
 * `write` runs at once.
 *
 * SQLite: TypeORM's better-sqlite3 driver shares ONE connection between all
 * callers, so a transaction that awaits anything lets every other caller's
 * statements run inside it — a ROLLBACK then undoes their acknowledged
 * writes, and a second BEGIN in the same tick fails. Here transactions and
 * writes on a data source form one queue (a promise chain): a transaction
 * has the connection to itself from BEGIN to COMMIT, and a write waits for
 * it. Reads are not queued (WAL readers never block). Work already inside a
 * transaction (same async context) joins it instead of waiting for itself.
 */
@Injectable()
export class TransactionRunner {
  private static readonly context = new AsyncLocalStorage<OpenTransaction>();
  /** One queue per data source, shared by every runner over it (the connection is what is shared). */
  private static readonly tails = new WeakMap<DataSource, Promise<unknown>>();
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
    if (this.postgres) return this.dataSource.transaction(work);
    const current = this.current();
    if (current !== undefined) return work(current.manager);
    return this.serialised(() =>
      this.dataSource.transaction((manager) => {
        const tx: OpenTransaction = { dataSource: this.dataSource, manager, open: true };
        return TransactionRunner.context.run(tx, () => work(manager)).finally(() => (tx.open = false));
      }),
    );
  }

  /**
   * Runs a single write (one statement, or several that need not be atomic)
   * outside any transaction; on SQLite it waits until no transaction is open,
   * so no rollback can take it along.
   */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.postgres) return work(this.dataSource.manager);
    const current = this.current();
    if (current !== undefined) return work(current.manager);
    return this.serialised(() => work(this.dataSource.manager));
  }

  private current(): OpenTransaction | undefined {
    const tx = TransactionRunner.context.getStore();
    return tx !== undefined && tx.open && tx.dataSource === this.dataSource ? tx : undefined;
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const tail = TransactionRunner.tails.get(this.dataSource) ?? Promise.resolve();
    const result = tail.then(task);
    TransactionRunner.tails.set(
      this.dataSource,
      result.then(
        () => undefined,
        () => undefined,
      ),
    );
    return result;
  }
}
