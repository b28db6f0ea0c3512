import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import type { LoggerService } from '@nestjs/common';
import { getMetadataArgsStorage } from 'typeorm';
import { DurableRecord } from './durable-record.entity';
import type { DeadLetter, DurableQueue, DurableQueueDefinition } from './durable.types';
import { type Backoff, failureOutcome } from './durable-policy';
import type { Claim, DurableStore } from './durable.store';

export interface DurableSettings {
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  /**
   * The first idle wait after a poll that found rows; each empty poll doubles
   * it, up to `pollIntervalMs`. Rows another process stores (PORTICO_ROLE=api
   * instances kick no worker but their own) are then claimed within a tenth
   * of a second while they keep coming, in claims of about what arrived
   * meanwhile, instead of piling up for a second and being drained in one
   * burst of back-to-back transactions (on SQLite, holding the write lock
   * the api process needs). Shorter waits made smaller claims: with 10 ms
   * the worker spent about 20% more CPU per event. An idle queue still
   * settles at one poll per `pollIntervalMs` within a few seconds.
   */
  readonly minPollIntervalMs: number;
  readonly lingerMs: number;
  /** See `DurableQueueDefinition.backlogLimit`; undefined: no admission control. */
  readonly backlogLimit?: number;
}

/** The longest `admit()` holds a caller: a backlog that does not shrink in this time must not block intake. */
const MAX_ADMISSION_WAIT_MS = 1_000;

export const DURABLE_DEFAULTS: DurableSettings = {
  maxAttempts: 8,
  backoff: { baseMs: 1_000, capMs: 300_000 },
  leaseMs: 30_000,
  batchSize: 20,
  concurrency: 4,
  pollIntervalMs: 1_000,
  minPollIntervalMs: 100,
  lingerMs: 10,
};

const PREVIEW_LENGTH = 400;
/**
 * Bookkeeping columns, left out of the default preview (the dead-letter view shows them apart): every column
 * `DurableRecord` declares, read from TypeORM's metadata so a column added there is left out too.
 */
const DURABLE_FIELDS: ReadonlySet<string> = new Set(
  getMetadataArgsStorage()
    .columns.filter((column) => column.target === DurableRecord)
    .map((column) => column.propertyName),
);

function defaultPreview(row: DurableRecord): string {
  return JSON.stringify(Object.fromEntries(Object.entries(row).filter(([key]) => !DURABLE_FIELDS.has(key))));
}

function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/**
 * One queue's polling loop in this instance. It claims at most as many rows
 * as it has free handler slots (never more than `batchSize`), so a claimed
 * row never waits for a slot while its lease runs out. Finishing handlers
 * poll again once half the slots are free (or all are), so claims come in
 * batches; an idle queue polls every `pollIntervalMs` (sooner right after
 * it found rows: `minPollIntervalMs`), `kick()` at once —
 * or, within `lingerMs` of the last poll, when that time is up: under a
 * stream of inserts, one claim then takes every row stored meanwhile
 * instead of one claim (and one commit) per row.
 */
export class DurableWorker<T extends DurableRecord> implements DurableQueue {
  readonly name: string;
  readonly replayPath?: string;
  private running = false;
  private polling?: Promise<void>;
  private pollAgain = false;
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private expiredCheckedAt = 0;
  private polledAt = 0;
  private lingering = false;
  /** The next idle wait (see `minPollIntervalMs`). */
  private idleWait: number;
  /** Rows kicked here and not yet claimed here: this instance's estimate of its backlog. */
  private unclaimed = 0;
  private admissions: Array<() => void> = [];
  private readonly refillAt: number;
  /** Completions waiting for the next batched UPDATE (one statement for all rows finished meanwhile). */
  private completions: Array<{ claim: Claim; settle: (held: boolean | Error) => void }> = [];
  private completing = false;

  constructor(
    private readonly definition: DurableQueueDefinition<T>,
    private readonly settings: DurableSettings,
    private readonly store: DurableStore<T>,
    private readonly workerId: string,
    private readonly logger: LoggerService,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.name = definition.name;
    this.replayPath = definition.replayPath;
    this.refillAt = Math.max(1, Math.floor(Math.min(settings.batchSize, settings.concurrency) / 2));
    this.idleWait = settings.pollIntervalMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops claiming, then waits up to `timeoutMs` for running handlers; true when they all finished. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.running = false;
    this.lingering = false;
    this.claimed(0, 1); // nothing waits for a stopped worker
    clearTimeout(this.timer);
    await this.polling;
    if (this.inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const finished = await Promise.race([Promise.allSettled([...this.inFlight]).then(() => true), timedOut]);
    clearTimeout(timer);
    return finished;
  }

  kick(): void {
    if (!this.running) return;
    this.unclaimed += 1;
    this.schedule();
  }

  /** Polls now, after the current poll, or at the end of the linger. */
  private schedule(): void {
    if (this.polling) {
      this.pollAgain = true; // coalesced: one more poll after the current one
      return;
    }
    if (this.lingering) return; // a poll is already due at the end of the linger
    const wait = this.polledAt + this.settings.lingerMs - Date.now();
    if (wait > 0) {
      clearTimeout(this.timer);
      this.lingering = true;
      this.timer = setTimeout(() => {
        this.lingering = false;
        this.poll();
      }, wait);
      return;
    }
    this.poll();
  }

  private poll(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.pollAgain = false;
    this.polledAt = Date.now();
    // Detached from the caller's trace (a request that stored a row kicks the loop): each row's
    // handler runs in the span of the trace stored with it, and the loop's own logs belong to none.
    this.polling = context
      .with(ROOT_CONTEXT, () => this.fillSlots())
      .catch((error: unknown) => {
        this.logger.error({ queue: this.name, err: error }, 'Durable queue poll failed', 'Durable');
      })
      .finally(() => {
        this.polling = undefined;
        if (!this.running) return;
        if (this.pollAgain) this.schedule();
        else {
          this.timer = setTimeout(() => this.schedule(), this.idleWait).unref();
          this.idleWait = Math.min(this.idleWait * 2, this.settings.pollIntervalMs);
        }
      });
  }

  /**
   * Resolves at once unless this instance handles the queue, the queue has a
   * `backlogLimit` and more rows wait than that; then when the backlog is
   * back under it, or after a second at most. Intake that awaits it slows to
   * the pace of its handlers instead of outrunning them.
   */
  admit(): Promise<void> {
    const limit = this.settings.backlogLimit;
    if (limit === undefined || !this.running || this.unclaimed <= limit) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, MAX_ADMISSION_WAIT_MS);
      this.admissions.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      const rows = await this.claim(this.settings.concurrency, true);
      if (rows.length === 0) {
        if (this.inFlight.size === 0) return handled;
        // Rows this instance's own loop claimed meanwhile (a finishing handler refills) are not done yet either.
        await Promise.all(this.inFlight);
        continue;
      }
      await Promise.all(rows.map((row) => this.track(this.process(row))));
      handled += rows.length;
    }
  }

  async replay(id: string): Promise<boolean> {
    const replayed = await this.store.replay(id, this.clock());
    if (replayed) this.kick();
    return replayed;
  }

  async counts(): Promise<Record<string, number>> {
    return this.store.counts();
  }

  oldestPendingAt(): Promise<Date | null> {
    return this.store.oldestPendingAt();
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const preview = this.definition.preview ?? defaultPreview;
    return (await this.store.dead(limit)).map((row) => ({
      id: row.id,
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: row.createdAt,
      deadAt: row.updatedAt,
      preview: shorten(preview(row), PREVIEW_LENGTH),
    }));
  }

  private async fillSlots(): Promise<void> {
    for (;;) {
      const free = this.settings.concurrency - this.inFlight.size;
      // While handlers run, claim only once half the slots are free: the finishing
      // handlers poll again then, so a busy queue claims in batches, not a row at a time.
      if (!this.running || free <= 0 || (this.inFlight.size > 0 && free < this.refillAt)) return;
      const wanted = Math.min(this.settings.batchSize, free);
      const rows = await this.claim(wanted, false);
      this.claimed(rows.length, wanted);
      if (rows.length > 0) this.idleWait = Math.min(this.settings.minPollIntervalMs, this.settings.pollIntervalMs);
      for (const row of rows) void this.track(this.process(row));
      if (rows.length < wanted) return;
    }
  }

  /**
   * Expired leases first (they waited longest), then due rows. Leases are
   * checked at most every quarter lease unless forced: only a dead or stalled
   * worker leaves one behind, and its rows then wait at most 1.25 leases.
   */
  private async claim(limit: number, forceExpiredCheck: boolean): Promise<T[]> {
    const now = this.clock();
    let rows: T[] = [];
    if (forceExpiredCheck || now.getTime() - this.expiredCheckedAt >= this.settings.leaseMs / 4) {
      this.expiredCheckedAt = now.getTime();
      rows = await this.store.claimExpired(this.workerId, now, this.settings.leaseMs, limit);
    }
    if (rows.length < limit)
      rows = rows.concat(await this.store.claimDue(this.workerId, now, this.settings.leaseMs, limit - rows.length));
    return rows;
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => {
      this.inFlight.delete(work);
      // Slots freed: claim at once (the linger only gathers producers' kicks).
      if (this.inFlight.size === 0 || this.settings.concurrency - this.inFlight.size >= this.refillAt) this.refill();
    });
  }

  /** Runs the handler and records the outcome; never rejects. */
  private async process(row: T): Promise<void> {
    const log = { queue: this.name, id: row.id, attempt: row.attempts };
    try {
      if (row.attempts > this.settings.maxAttempts) {
        // The last allowed attempt never reported back (its worker died): do not run it again.
        await this.record(row, this.store.bury(this.claimOf(row), this.clock(), 'Lease expired on the last attempt'));
        this.logger.error(log, 'Durable row dead-lettered: its last attempt never finished', 'Durable');
        return;
      }
      try {
        await this.definition.handle(row);
      } catch (error) {
        await this.fail(row, error);
        return;
      }
      await this.record(row, this.complete(this.claimOf(row)));
    } catch (error) {
      // Outcome not recorded (database unavailable): the lease expires and the row is claimed again.
      this.logger.error({ ...log, err: error }, 'Durable row outcome could not be recorded', 'Durable');
    }
  }

  private async fail(row: T, error: unknown): Promise<void> {
    const outcome = failureOutcome(error, row.attempts, { ...this.settings, isPermanent: this.definition.isPermanent });
    const now = this.clock();
    const log = { queue: this.name, id: row.id, attempt: row.attempts, error: outcome.error };
    if (outcome.status === 'dead') {
      if (await this.record(row, this.store.bury(this.claimOf(row), now, outcome.error))) {
        this.logger.error(log, 'Durable row dead-lettered', 'Durable');
      }
      return;
    }
    const next = new Date(now.getTime() + outcome.delayMs);
    if (await this.record(row, this.store.reschedule(this.claimOf(row), now, next, outcome.error))) {
      this.logger.warn({ ...log, retryInMs: outcome.delayMs }, 'Durable row failed; will retry', 'Durable');
    }
  }

  /**
   * Marks the row done together with every other row that finished while the
   * previous batch was being written: under load, one UPDATE completes many.
   */
  private complete(claim: Claim): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.completions.push({ claim, settle: (held) => (held instanceof Error ? reject(held) : resolve(held)) });
      if (!this.completing) void this.flushCompletions();
    });
  }

  private async flushCompletions(): Promise<void> {
    this.completing = true;
    try {
      while (this.completions.length > 0) {
        const batch = this.completions;
        this.completions = [];
        try {
          const held = await this.store.completeAll(
            batch.map((entry) => entry.claim),
            this.clock(),
          );
          for (const entry of batch) entry.settle(held.has(entry.claim.id));
        } catch (error) {
          for (const entry of batch) entry.settle(error instanceof Error ? error : new Error(String(error)));
        }
      }
    } finally {
      this.completing = false;
    }
  }

  /** Updates the backlog estimate; a short claim means nothing else is due. */
  private claimed(rows: number, wanted: number): void {
    this.unclaimed = rows < wanted ? 0 : Math.max(0, this.unclaimed - rows);
    const limit = this.settings.backlogLimit;
    if (this.admissions.length === 0 || (limit !== undefined && this.unclaimed > limit)) return;
    const admitted = this.admissions;
    this.admissions = [];
    for (const admit of admitted) admit();
  }

  private refill(): void {
    if (!this.running) return;
    if (this.polling) this.pollAgain = true;
    else {
      this.lingering = false;
      this.poll();
    }
  }

  private claimOf(row: T): Claim {
    return { id: row.id, workerId: this.workerId, attempts: row.attempts };
  }

  /** Awaits a finishing update; a lost lease means another worker owns the row now. */
  private async record(row: T, update: Promise<boolean>): Promise<boolean> {
    const held = await update;
    if (!held)
      this.logger.warn(
        { queue: this.name, id: row.id },
        'Durable row lease lost before its outcome was recorded',
        'Durable',
      );
    return held;
  }
}
