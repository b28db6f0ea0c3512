import type { EntityTarget } from 'typeorm';
import type { DurableRecord } from './durable-record.entity';

/** Throw from a handler to dead-letter the row at once (retrying cannot help). */
export class PermanentFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentFailure';
  }
}

export interface DurableQueueDefinition<T extends DurableRecord> {
  /** Name for logs and metrics (`stripe-events`, `emails`). */
  readonly name: string;
  /** TypeORM entity extending DurableRecord (its table has the durable columns). */
  readonly entity: EntityTarget<T>;
  /** Handles one claimed row. Resolve → `done`; throw → retry with backoff, `dead` after `maxAttempts`. */
  handle(row: T): Promise<void>;
  /** Attempts before a row is dead-lettered (default 8). */
  readonly maxAttempts?: number;
  /** Backoff between attempts: full jitter, random(0, min(capMs, baseMs·2^attempt)) (defaults 1 s, 5 min). */
  readonly backoff?: { readonly baseMs: number; readonly capMs: number };
  /**
   * How long a claim lasts before another worker may take the row (default 30 s).
   * Keep it above the longest handler run (provider timeout × retries): a
   * handler still running when its lease ends may be run again elsewhere.
   */
  readonly leaseMs?: number;
  /** Rows claimed per poll (default 20). */
  readonly batchSize?: number;
  /** Rows handled at once per instance (default 4). */
  readonly concurrency?: number;
  /** Poll interval when idle (default 1 s); `kick()` polls at once. */
  readonly pollIntervalMs?: number;
  /**
   * The idle wait right after a poll that found rows (default 100 ms); each
   * empty poll doubles it, up to `pollIntervalMs`. Rows stored by another
   * process, which kicks only its own workers, are then claimed within a
   * tenth of a second while they keep coming.
   */
  readonly minPollIntervalMs?: number;
  /**
   * A `kick()` within this long of the last poll waits for the rest of it
   * (default 10 ms), so a burst of inserts is claimed in one statement; 0
   * polls on every kick.
   */
  readonly lingerMs?: number;
  /**
   * Admission control for intake (e.g. a webhook inbox): while more than
   * this many rows stored by this instance wait for its handlers, `admit()`
   * holds the caller (at most a second). Unset: `admit()` never waits.
   */
  readonly backlogLimit?: number;
  /**
   * Extra attributes of the row's `durable.process` span when tracing is on
   * (e.g. the Stripe event type). Never personal data or payload content.
   */
  traceAttributes?(row: T): Readonly<Record<string, string | number | boolean>>;
  /** Errors besides `PermanentFailure` that dead-letter at once (e.g. a provider's 400). */
  readonly isPermanent?: (error: unknown) => boolean;
  /** What an admin sees of a dead row's payload (default: the row's own columns as JSON); shortened to 400 characters. */
  readonly preview?: (row: T) => string;
  /**
   * The admin route that replays a dead row when the generic dead-letter
   * replay would skip bookkeeping of the queue's own (emails record the
   * failure in their history first); `{id}` stands for the row id.
   */
  readonly replayPath?: string;
}

/** A dead row as the admin dead-letter view shows it. */
export interface DeadLetter {
  readonly id: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
  /** When it was buried (its last change). */
  readonly deadAt: Date;
  readonly preview: string;
}

export interface DurableQueue {
  readonly name: string;
  /** Poll now (call after inserting a row so it is handled without waiting for the next tick). */
  kick(): void;
  /** After storing a row, before acknowledging it: waits while this instance's backlog is over `backlogLimit`. */
  admit(): Promise<void>;
  /** Claims and handles due rows until none is due and none claimed here is running; resolves with how many it handled (tests, CLI). */
  drain(): Promise<number>;
  /** Puts a `dead` (or `done`) row back to `pending` with attempts reset; false when there is no such dead or done row. */
  replay(id: string): Promise<boolean>;
  /** Row counts by status. */
  counts(): Promise<Record<string, number>>;
  /** When the oldest row still waiting (`pending`, retries included) was stored; null when none waits. */
  oldestPendingAt(): Promise<Date | null>;
  /** The most recently buried rows, newest first, at most `limit`. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
  /** See `DurableQueueDefinition.replayPath`. */
  readonly replayPath?: string;
}
