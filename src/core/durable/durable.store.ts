import type { DataSource, EntityMetadata, EntityTarget, QueryResult } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { DurableRecord, DurableStatus } from './durable-record.entity';

/**
 * One claim of a row: the worker and the attempt number it was claimed with.
 * Every claim increments `attempts`, so the pair names this claim even if the
 * same worker claims the row again after its lease expired.
 */
export interface Claim {
  readonly id: string;
  readonly workerId: string;
  readonly attempts: number;
}

export const DURABLE_STATUSES: readonly DurableStatus[] = ['pending', 'processing', 'done', 'dead'];

/**
 * The SQL behind one durable queue, for SQLite and PostgreSQL. Every state
 * change is one statement; the finishing ones apply only while the row still
 * carries this claim (`locked_by` and `attempts`), so a worker whose lease
 * expired and was taken over cannot overwrite the newer claim. Dates are
 * bound through the driver (TypeORM's UTC text on SQLite, timestamptz on
 * PostgreSQL) so they compare with what TypeORM itself wrote.
 */
export class DurableStore<T extends DurableRecord> {
  private readonly metadata: EntityMetadata;
  private readonly table: string;
  private readonly postgres: boolean;
  private readonly dateColumn: ColumnMetadata;

  constructor(
    private readonly dataSource: DataSource,
    entity: EntityTarget<T>,
  ) {
    this.metadata = dataSource.getMetadata(entity);
    this.postgres = dataSource.options.type === 'postgres';
    this.table = this.metadata.tablePath
      .split('.')
      .map((part) => dataSource.driver.escape(part))
      .join('.');
    const column = this.metadata.findColumnWithPropertyName('nextAttemptAt');
    if (!column) throw new Error(`${this.metadata.name} does not extend DurableRecord (no nextAttemptAt column)`);
    this.dateColumn = column;
  }

  /**
   * Atomically takes up to `limit` rows that are `pending` and due, oldest
   * due first (an index range on (status, next_attempt_at), read in order).
   * PostgreSQL skips rows another instance is claiming at the same moment.
   */
  async claimDue(workerId: string, now: Date, leaseMs: number, limit: number): Promise<T[]> {
    return this.claimWhere(
      `status = 'pending' AND next_attempt_at <= ?`,
      ' ORDER BY next_attempt_at',
      workerId,
      now,
      leaseMs,
      limit,
    );
  }

  /**
   * Atomically takes up to `limit` rows whose lease expired while `processing`
   * (the worker died or stalled). Kept apart from `claimDue` so each claim
   * reads one index range in order instead of sorting every due row.
   */
  async claimExpired(workerId: string, now: Date, leaseMs: number, limit: number): Promise<T[]> {
    return this.claimWhere(`status = 'processing' AND locked_until < ?`, '', workerId, now, leaseMs, limit);
  }

  private async claimWhere(
    condition: string,
    order: string,
    workerId: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<T[]> {
    const lockClause = this.postgres ? ' FOR UPDATE SKIP LOCKED' : '';
    const result = await this.run(
      `UPDATE ${this.table} SET status = 'processing', attempts = attempts + 1, locked_by = ?, locked_until = ?, updated_at = ? ` +
        `WHERE id IN (SELECT id FROM ${this.table} WHERE ${condition}${order} LIMIT ?${lockClause}) RETURNING *`,
      [workerId, this.date(new Date(now.getTime() + leaseMs)), this.date(now), this.date(now), limit],
    );
    return (result.records as Array<Record<string, unknown>>).map((raw) => this.hydrate(raw));
  }

  /** Handled: `done`. False when this worker no longer holds the lease. */
  async complete(claim: Claim, now: Date): Promise<boolean> {
    return this.finish(claim, `status = 'done', processed_at = ?`, [this.date(now)], now);
  }

  /** Failed, to be tried again at `nextAttemptAt`. */
  async reschedule(claim: Claim, now: Date, nextAttemptAt: Date, error: string): Promise<boolean> {
    return this.finish(
      claim,
      `status = 'pending', next_attempt_at = ?, last_error = ?`,
      [this.date(nextAttemptAt), error],
      now,
    );
  }

  /** Gave up: `dead` until an admin replays it. */
  async bury(claim: Claim, now: Date, error: string): Promise<boolean> {
    return this.finish(claim, `status = 'dead', last_error = ?`, [error], now);
  }

  /** Back to `pending`, due now, attempts reset; only for `dead` or `done` rows. */
  async replay(id: string, now: Date): Promise<boolean> {
    const result = await this.run(
      `UPDATE ${this.table} SET status = 'pending', attempts = 0, next_attempt_at = ?, locked_by = NULL, locked_until = NULL, ` +
        `processed_at = NULL, updated_at = ? WHERE id = ? AND status IN ('dead', 'done')`,
      [this.date(now), this.date(now), id],
    );
    return (result.affected ?? 0) > 0;
  }

  async counts(): Promise<Record<DurableStatus, number>> {
    const result = await this.run(`SELECT status, COUNT(*) AS n FROM ${this.table} GROUP BY status`, []);
    const counts = Object.fromEntries(DURABLE_STATUSES.map((status) => [status, 0])) as Record<DurableStatus, number>;
    for (const row of result.records as Array<{ status: DurableStatus; n: number | string }>)
      counts[row.status] = Number(row.n);
    return counts;
  }

  private async finish(claim: Claim, assignments: string, values: unknown[], now: Date): Promise<boolean> {
    const result = await this.run(
      `UPDATE ${this.table} SET ${assignments}, locked_by = NULL, locked_until = NULL, updated_at = ? ` +
        `WHERE id = ? AND locked_by = ? AND attempts = ? AND status = 'processing'`,
      [...values, this.date(now), claim.id, claim.workerId, claim.attempts],
    );
    return (result.affected ?? 0) > 0;
  }

  /** A raw row (database column names) as the entity, through each column's own hydration and transformer. */
  private hydrate(raw: Record<string, unknown>): T {
    const entity = this.metadata.create() as T;
    for (const column of this.metadata.columns) {
      if (column.databaseName in raw) {
        column.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(raw[column.databaseName], column));
      }
    }
    return entity;
  }

  private date(value: Date): unknown {
    return this.dataSource.driver.preparePersistentValue(value, this.dateColumn);
  }

  /** Runs one statement; `?` placeholders become `$n` on PostgreSQL. */
  private async run(sql: string, parameters: unknown[]): Promise<QueryResult> {
    let index = 0;
    const text = this.postgres ? sql.replace(/\?/g, () => `$${++index}`) : sql;
    const runner = this.dataSource.createQueryRunner();
    try {
      return await runner.query(text, parameters, true);
    } finally {
      await runner.release();
    }
  }
}
