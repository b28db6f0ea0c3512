import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '../../../core/database/bigint.transformer';

/** A Checkout Session we created; written before Stripe is called, kept current by `checkout.session.*`. */
@Entity('checkout_sessions')
@Index('uq_checkout_sessions_owner_key', ['ownerId', 'idempotencyKey'], { unique: true })
export class CheckoutSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 80 })
  ownerId!: string;

  @Column({ name: 'stripe_id', type: 'varchar', length: 255, nullable: true })
  stripeId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  mode!: string;

  /** `creating` until Stripe answered; then Stripe's `open|complete|expired`. */
  @Column({ type: 'varchar', length: 32 })
  status!: string;

  @Column({ name: 'payment_status', type: 'varchar', length: 32, nullable: true })
  paymentStatus!: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  url!: string | null;

  @Column({ name: 'subscription_id', type: 'varchar', length: 255, nullable: true })
  subscriptionId!: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey!: string;

  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ name: 'last_event_created', type: 'bigint', transformer: bigintToNumber, nullable: true })
  lastEventCreated!: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
