import { Column, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * `pending`: due at `nextAttemptAt` (a retry is pending with a later time);
 * `processing`: claimed until `lockedUntil` (an expired lease is claimed again);
 * `done`: handled; `dead`: gave up after the last attempt (replayable by admins).
 */
export type DurableStatus = 'pending' | 'processing' | 'done' | 'dead';

/**
 * Columns every durable table (webhook inbox, email outbox) shares; the
 * processor claims, retries and dead-letters rows through them. Entities
 * extend this class; migrations add `durableColumns()` and `durableIndexes()`.
 */
export abstract class DurableRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DurableStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  // The default makes a row inserted without a time due at once (SQLite writes NULL for an omitted column otherwise).
  @Column({ name: 'next_attempt_at', type: Date, default: () => 'CURRENT_TIMESTAMP' })
  nextAttemptAt!: Date;

  @Column({ name: 'locked_until', type: Date, nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'locked_by', type: 'varchar', length: 64, nullable: true })
  lockedBy!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'processed_at', type: Date, nullable: true })
  processedAt!: Date | null;

  /**
   * W3C trace context (JSON) of whatever wrote the row (`rowTraceContext()`);
   * its processing continues that trace. NULL when tracing is off.
   */
  @Column({ name: 'trace_context', type: 'text', nullable: true })
  traceContext!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
