import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '../../../core/database/bigint.transformer';
import type { SubscriptionItemSnapshot } from '../billing-objects';

/** A Stripe subscription as of the newest event applied (see `BillingMirror`). */
@Entity('subscriptions')
export class SubscriptionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'stripe_id', type: 'varchar', length: 255 })
  stripeId!: string;

  /** Null when its customer is not one of ours (admins see it). */
  @Column({ name: 'owner_id', type: 'varchar', length: 80, nullable: true })
  ownerId!: string | null;

  @Column({ name: 'customer_id', type: 'varchar', length: 255, nullable: true })
  customerId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  status!: string;

  @Column({ name: 'status_since', type: 'bigint', transformer: bigintToNumber })
  statusSince!: number;

  @Column({ type: 'simple-json' })
  items!: SubscriptionItemSnapshot[];

  @Column({ name: 'current_period_end', type: 'bigint', transformer: bigintToNumber, nullable: true })
  currentPeriodEnd!: number | null;

  @Column({ name: 'cancel_at_period_end', type: 'boolean', default: false })
  cancelAtPeriodEnd!: boolean;

  @Column({ name: 'trial_end', type: 'bigint', transformer: bigintToNumber, nullable: true })
  trialEnd!: number | null;

  @Column({ name: 'latest_invoice', type: 'varchar', length: 255, nullable: true })
  latestInvoice!: string | null;

  @Column({ name: 'last_event_created', type: 'bigint', transformer: bigintToNumber })
  lastEventCreated!: number;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
