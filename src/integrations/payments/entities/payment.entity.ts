import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '../../../core/database/bigint.transformer';
import type { PaymentStatus } from '../payment-status';

/** One payment intent as we know it; `status` only moves forward (see `payment-status.ts`). */
@Entity('payments')
@Index('uq_payments_owner_idempotency_key', ['ownerId', 'idempotencyKey'], { unique: true })
export class PaymentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** `key:<id>` / `user:<id>`; null for intents created outside Portico (seen through webhooks). */
  @Column({ name: 'owner_id', type: 'varchar', length: 80, nullable: true })
  ownerId!: string | null;

  @Index('uq_payments_stripe_id', { unique: true })
  @Column({ name: 'stripe_id', type: 'varchar', length: 255, nullable: true })
  stripeId!: string | null;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  amount!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 32 })
  status!: PaymentStatus;

  /** Precedence of `status`, kept beside it so forward-only updates are one conditional UPDATE. */
  @Column({ name: 'status_rank', type: 'integer' })
  statusRank!: number;

  /** Incremented by every applied status change (the history's order). */
  @Column({ name: 'status_version', type: 'integer', default: 0 })
  statusVersion!: number;

  @Column({ name: 'amount_received', type: 'bigint', transformer: bigintToNumber, default: 0 })
  amountReceived!: number;

  @Column({ name: 'amount_refunded', type: 'bigint', transformer: bigintToNumber, default: 0 })
  amountRefunded!: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description!: string | null;

  @Column({ name: 'customer_email', type: 'varchar', length: 320, nullable: true })
  customerEmail!: string | null;

  @Column({ name: 'capture_method', type: 'varchar', length: 16, nullable: true })
  captureMethod!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  metadata!: Record<string, string> | null;

  /** Returned again on an idempotent replay; it only lets a browser confirm this one intent. */
  @Column({ name: 'client_secret', type: 'varchar', length: 255, nullable: true })
  clientSecret!: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  /** SHA-256 of the creating request's body, to refuse a reused key with a different body. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64, nullable: true })
  requestHash!: string | null;

  /** `created` (Unix seconds) of the newest event applied; older events never overwrite. */
  @Column({ name: 'last_event_created', type: 'bigint', transformer: bigintToNumber, nullable: true })
  lastEventCreated!: number | null;

  /** `disputed` while a chargeback is open; then how it closed (`won`, `lost`, `warning_closed`). */
  @Column({ name: 'dispute_status', type: 'varchar', length: 32, nullable: true })
  disputeStatus!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
