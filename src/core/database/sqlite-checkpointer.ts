import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Worker } from 'node:worker_threads';
import { Counter, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { SQLITE_AUTOCHECKPOINT_PAGES } from './data-source.options';
import { SqlDialect } from './sql-dialect';

/** How often the WAL is copied back into the database file while the app runs. */
const CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * How long a restarting checkpoint may wait for the write lock and for readers
 * (their statements last milliseconds). Writers wait while it does, so it
 * gives up soon and tries again at the next checkpoint.
 */
const RESTART_WAIT_MS = 25;

/** What one checkpoint did (SQLite's own three numbers, and whether it restarted the WAL). */
export interface CheckpointResult {
  /** 1 when another connection's checkpoint was running, so this one did nothing. */
  readonly busy: number;
  /** Frames in the WAL. */
  readonly log: number;
  /** Frames now copied into the database file. */
  readonly checkpointed: number;
  /** True when the WAL was over the limit and the next write starts it over (see `checkpoint`). */
  readonly restarted: boolean;
}

type WorkerReply = ({ ok: true } & CheckpointResult) | { ok: false; error: string };

/**
 * The thread's whole program. A string, not a file: the same code runs under
 * ts-node-style loaders, Jest and the compiled build, and a worker file
 * would need each of them to resolve it. It opens its own connection to the
 * same file and checkpoints when asked; PASSIVE never waits for or blocks
 * the app's readers and writers.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: workerData.restartWaitMs });
parentPort.on('message', (restartAbovePages) => {
  try {
    let [row] = db.pragma('wal_checkpoint(PASSIVE)');
    let restarted = false;
    if (row.busy === 0 && row.log > restartAbovePages) {
      [row] = db.pragma('wal_checkpoint(RESTART)');
      restarted = row.busy === 0;
    }
    parentPort.postMessage({ ok: true, busy: row.busy, log: row.log, checkpointed: row.checkpointed, restarted });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String((error && error.message) || error) });
  }
});
`;

/**
 * SQLite checkpoints on a worker thread instead of in the app's commits.
 * Left to SQLite, the commit that crosses the WAL threshold copies the whole
 * WAL back and fsyncs, on the event loop: under a webhook burst that was a
 * 70–80 ms stall every second or so, the worst latencies of every request in
 * flight, and about 6% of the main thread. Here the app's connection never
 * checkpoints (`wal_autocheckpoint = 0`) and a second connection on its own
 * thread does it every second. Should that thread fail, the app's
 * connection takes checkpoints back, so the WAL never grows unbounded.
 * Several processes on one file (PORTICO_ROLE) each run one; SQLite lets one
 * checkpoint run at a time and the others report busy.
 *
 * SQLite starts the WAL over only when a write begins while every frame in
 * it is copied back. Under a steady stream of commits (500 webhook events a
 * second) some commit always lands while a checkpoint runs, so that moment
 * never came: the WAL grew by about 20 MB a second, to 685 MB in 40 s, for as
 * long as the stream lasted. So once it is over SQLITE_AUTOCHECKPOINT_PAGES
 * pages a RESTART checkpoint follows the PASSIVE one: it copies the few
 * frames written meanwhile, holding the write lock (writers wait a few ms;
 * `TransactionRunner` retries, the event loop is not blocked), and the next
 * write starts the WAL over, cut back to SQLITE_WAL_SIZE_LIMIT_BYTES.
 * `sqlite_wal_frames` and `sqlite_wal_restarts_total` show both on /metrics.
 */
@Injectable()
export class SqliteCheckpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SqliteCheckpointer.name);
  private readonly dialect: SqlDialect;
  private worker?: Worker;
  private timer?: NodeJS.Timeout;
  private waiting: Array<(reply: WorkerReply) => void> = [];
  private readonly metrics?: { readonly frames: Gauge; readonly restarts: Counter };

  constructor(@InjectDataSource() dataSource: DataSource, @Optional() registry?: Registry) {
    this.dialect = new SqlDialect(dataSource);
    // No registry where no MonitoringModule runs (the CLI); on PostgreSQL there is no WAL of ours to show.
    if (registry !== undefined && !this.dialect.postgres)
      this.metrics = {
        frames: new Gauge({
          name: 'sqlite_wal_frames',
          help: 'Pages in the SQLite WAL at the last checkpoint (about 4 KB each)',
          registers: [registry],
        }),
        restarts: new Counter({
          name: 'sqlite_wal_restarts_total',
          help: 'Checkpoints that started the SQLite WAL over because it had grown past its limit',
          registers: [registry],
        }),
      };
  }

  onApplicationBootstrap(): void {
    if (this.dialect.postgres) return;
    const file = this.dialect.sqliteFile();
    if (file === ':memory:' || file === '') return;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file, restartWaitMs: RESTART_WAIT_MS },
    });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.waiting.shift()?.(reply));
    worker.on('error', (error) => this.logger.error({ err: error }, 'SQLite checkpoint thread failed'));
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.logger.warn('SQLite checkpoint thread stopped; commits checkpoint the WAL themselves again');
      this.release();
    });
    this.worker = worker;
    this.dialect.sqlitePragma('wal_autocheckpoint = 0');
    this.timer = setInterval(() => {
      if (this.waiting.length === 0) void this.checkpoint().catch(() => undefined);
    }, CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * Copies what it can of the WAL into the database file now, and restarts
   * the WAL when it holds more than `restartAbovePages` pages (see the class);
   * undefined when no thread runs (PostgreSQL, or stopped).
   */
  checkpoint(restartAbovePages = SQLITE_AUTOCHECKPOINT_PAGES): Promise<CheckpointResult | undefined> {
    const worker = this.worker;
    if (worker === undefined) return Promise.resolve(undefined);
    return new Promise<CheckpointResult | undefined>((resolve, reject) => {
      this.waiting.push((reply) => {
        if (reply.ok) {
          // A busy checkpoint did nothing and reports -1 frames.
          if (reply.busy === 0) this.metrics?.frames.set(reply.log);
          if (reply.restarted) this.metrics?.restarts.inc();
          resolve({ busy: reply.busy, log: reply.log, checkpointed: reply.checkpointed, restarted: reply.restarted });
        } else {
          this.logger.warn(`SQLite checkpoint failed: ${reply.error}`);
          reject(new Error(reply.error));
        }
      });
      worker.postMessage(restartAbovePages);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.release();
    await worker?.terminate();
  }

  /** Back to checkpoints in the app's own commits (the thread is gone, or going). */
  private release(): void {
    clearInterval(this.timer);
    this.worker = undefined;
    for (const settle of this.waiting.splice(0)) settle({ ok: false, error: 'checkpoint thread stopped' });
    try {
      this.dialect.sqlitePragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    } catch {
      // The connection is already closed: nothing left to checkpoint from here.
    }
  }
}
