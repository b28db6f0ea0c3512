import type { DataSource, EntityMetadata, EntityTarget, QueryResult } from 'typeorm';
import { SqlDialect } from '../database/sql-dialect';
import { TransactionRunner } from '../database/transaction-runner';
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

/** Extra conditions for claiming (e.g. email's batch siblings): column (database name) equal to value, and an id to leave out. */
export interface ClaimFilter {
  readonly equals?: Readonly<Record<string, string | number>>;
  readonly excludeId?: string;
}

export const DURABLE_STATUSES: readonly DurableStatus[] = ['pending', 'processing', 'done', 'dead'];

/**
 * The durable queue's state machine in SQL, for SQLite and PostgreSQL:
 * claim (pending/expired → processing), complete (→ done), reschedule
 * (→ pending later), bury (→ dead), unclaim, replay, settle (unclaimed → done). Every state change is
 * one statement, for one row or a batch; the finishing ones apply only while
 * the row still carries its claim (`locked_by` and `attempts`), so a worker
 * whose lease expired and was taken over cannot overwrite the newer claim.
 * Writes go through the `TransactionRunner` (on SQLite they never land in
 * another caller's open transaction).
 */
export class DurableStore<T extends DurableRecord> {
  private readonly metadata: EntityMetadata;
  private readonly table: string;
  private readonly dialect: SqlDialect;
  private readonly transactions: TransactionRunner;
  private readonly columns: ReadonlySet<string>;

  constructor(
    private readonly dataSource: DataSource,
    entity: EntityTarget<T>,
    transactions?: TransactionRunner,
  ) {
    this.metadata = dataSource.getMetadata(entity);
    this.dialect = new SqlDialect(dataSource);
    this.transactions = transactions ?? new TransactionRunner(dataSource);
    this.table = this.metadata.tablePath
      .split('.')
      .map((part) => dataSource.driver.escape(part))
      .join('.');
    if (!this.metadata.findColumnWithPropertyName('nextAttemptAt'))
      throw new Error(`${this.metadata.name} does not extend DurableRecord (no nextAttemptAt column)`);
    this.columns = new Set(this.metadata.columns.map((column) => column.databaseName));
  }

  /**
   * Atomically takes up to `limit` rows that are `pending` and due, oldest
   * due first (an index range on (status, next_attempt_at), read in order).
   * PostgreSQL skips rows another instance is claiming at the same moment.
   */
  async claimDue(workerId: string, now: Date, leaseMs: number, limit: number, filter?: ClaimFilter): Promise<T[]> {
    const [condition, values] = this.filterSql(filter);
    return this.claimWhere(
      `status = 'pending' AND next_attempt_at <= ?${condition}`,
      ' ORDER BY next_attempt_at',
      [this.dialect.bind(now), ...values],
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
    return this.claimWhere(
      `status = 'processing' AND locked_until < ?`,
      '',
      [this.dialect.bind(now)],
      workerId,
      now,
      leaseMs,
      limit,
    );
  }

  /** Handled: `done`. False when this worker no longer holds the lease. */
  async complete(claim: Claim, now: Date): Promise<boolean> {
    return (await this.completeAll([claim], now)).has(claim.id);
  }

  /** Handled, many at once (one statement per worker); resolves with the ids whose claim was still held. */
  async completeAll(claims: readonly Claim[], now: Date): Promise<Set<string>> {
    return this.finish(claims, `status = 'done', processed_at = ?`, [this.dialect.bind(now)], now);
  }

  /** Failed, to be tried again at `nextAttemptAt`. */
  async reschedule(claim: Claim, now: Date, nextAttemptAt: Date, error: string): Promise<boolean> {
    return (await this.rescheduleAll([claim], now, nextAttemptAt, error)).has(claim.id);
  }

  async rescheduleAll(claims: readonly Claim[], now: Date, nextAttemptAt: Date, error: string): Promise<Set<string>> {
    return this.finish(
      claims,
      `status = 'pending', next_attempt_at = ?, last_error = ?`,
      [this.dialect.bind(nextAttemptAt), error],
      now,
    );
  }

  /** Gave up: `dead` until an admin replays it. */
  async bury(claim: Claim, now: Date, error: string): Promise<boolean> {
    return (await this.finish([claim], `status = 'dead', last_error = ?`, [error], now)).has(claim.id);
  }

  /** Gives claimed rows back untouched (claimed but not attempted): `pending`, the attempt not counted. */
  async unclaim(claims: readonly Claim[], now: Date): Promise<Set<string>> {
    return this.finish(claims, `status = 'pending', attempts = attempts - 1`, [], now);
  }

  /**
   * Finished without being handled (e.g. a scheduled email cancelled while it
   * waits): `pending` or `dead` → `done`. False when a worker holds it or it
   * is done already, so it never races a claim.
   */
  async settle(id: string, now: Date): Promise<boolean> {
    const result = await this.write(
      `UPDATE ${this.table} SET status = 'done', processed_at = ?, updated_at = ? WHERE id = ? AND status IN ('pending', 'dead')`,
      [this.dialect.bind(now), this.dialect.bind(now), id],
    );
    return (result.affected ?? 0) > 0;
  }

  /** Back to `pending`, due now, attempts reset; only for `dead` or `done` rows. */
  async replay(id: string, now: Date): Promise<boolean> {
    const result = await this.write(
      `UPDATE ${this.table} SET status = 'pending', attempts = 0, next_attempt_at = ?, locked_by = NULL, locked_until = NULL, ` +
        `processed_at = NULL, updated_at = ? WHERE id = ? AND status IN ('dead', 'done')`,
      [this.dialect.bind(now), this.dialect.bind(now), id],
    );
    return (result.affected ?? 0) > 0;
  }

  async counts(): Promise<Record<DurableStatus, number>> {
    const rows = await this.dataSource.query<Array<{ status: DurableStatus; n: number | string }>>(
      `SELECT status, COUNT(*) AS n FROM ${this.table} GROUP BY status`,
    );
    const counts = Object.fromEntries(DURABLE_STATUSES.map((status) => [status, 0])) as Record<DurableStatus, number>;
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async oldestPendingAt(): Promise<Date | null> {
    const rows = await this.dataSource.query<Array<{ oldest: Date | string | null }>>(
      `SELECT MIN(created_at) AS oldest FROM ${this.table} WHERE status = 'pending'`,
    );
    const oldest = rows[0]?.oldest ?? null;
    if (oldest === null) return null;
    if (oldest instanceof Date) return oldest;
    // SQLite hands back its text form: UTC without a zone ('2026-11-29 23:12:05.123') as TypeORM writes it.
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(oldest) ? oldest : `${oldest.replace(' ', 'T')}Z`);
  }

  /** `dead` rows, most recently buried first. */
  async dead(limit: number): Promise<T[]> {
    return this.dataSource
      .getRepository<T>(this.metadata.target)
      .createQueryBuilder('r')
      .where(`r.status = 'dead'`)
      .orderBy('r.updated_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .take(limit)
      .getMany();
  }

  private async claimWhere(
    condition: string,
    order: string,
    conditionValues: unknown[],
    workerId: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<T[]> {
    const lockClause = this.dialect.postgres ? ' FOR UPDATE SKIP LOCKED' : '';
    const result = await this.write(
      `UPDATE ${this.table} SET status = 'processing', attempts = attempts + 1, locked_by = ?, locked_until = ?, updated_at = ? ` +
        `WHERE id IN (SELECT id FROM ${this.table} WHERE ${condition}${order} LIMIT ?${lockClause}) RETURNING *`,
      [
        workerId,
        this.dialect.bind(new Date(now.getTime() + leaseMs)),
        this.dialect.bind(now),
        ...conditionValues,
        limit,
      ],
    );
    return (result.records as Array<Record<string, unknown>>).map((raw) => this.hydrate(raw));
  }

  /** One UPDATE for all `claims` (grouped by worker), each row only while it still carries its claim; the ids it changed. */
  private async finish(
    claims: readonly Claim[],
    assignments: string,
    values: unknown[],
    now: Date,
  ): Promise<Set<string>> {
    const changed = new Set<string>();
    if (claims.length === 0) return changed;
    for (const [workerId, group] of groupBy(claims, (claim) => claim.workerId)) {
      const held = group.map(() => '(id = ? AND attempts = ?)').join(' OR ');
      const result = await this.write(
        `UPDATE ${this.table} SET ${assignments}, locked_by = NULL, locked_until = NULL, updated_at = ? ` +
          `WHERE status = 'processing' AND locked_by = ? AND (${held}) RETURNING id`,
        [...values, this.dialect.bind(now), workerId, ...group.flatMap((claim) => [claim.id, claim.attempts])],
      );
      for (const row of result.records as Array<{ id: string }>) changed.add(row.id);
    }
    return changed;
  }

  private filterSql(filter: ClaimFilter | undefined): [string, unknown[]] {
    if (filter === undefined) return ['', []];
    let sql = '';
    const values: unknown[] = [];
    for (const [column, value] of Object.entries(filter.equals ?? {})) {
      if (!this.columns.has(column)) throw new Error(`${this.metadata.name} has no column ${column}`);
      sql += ` AND ${this.dataSource.driver.escape(column)} = ?`;
      values.push(value);
    }
    if (filter.excludeId !== undefined) {
      sql += ' AND id <> ?';
      values.push(filter.excludeId);
    }
    return [sql, values];
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

  private write(sql: string, parameters: unknown[]): Promise<QueryResult> {
    return this.transactions.write((manager) => this.dialect.execute(manager, sql, parameters));
  }
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}
