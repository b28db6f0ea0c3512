import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '../../../core/database/bigint.transformer';

/** A Stripe invoice as of the newest event applied. */
@Entity('invoices')
export class InvoiceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'stripe_id', type: 'varchar', length: 255 })
  stripeId!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 80, nullable: true })
  ownerId!: string | null;

  @Column({ name: 'customer_id', type: 'varchar', length: 255, nullable: true })
  customerId!: string | null;

  @Column({ name: 'subscription_id', type: 'varchar', length: 255, nullable: true })
  subscriptionId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  status!: string;

  @Column({ name: 'amount_due', type: 'bigint', transformer: bigintToNumber, default: 0 })
  amountDue!: number;

  @Column({ name: 'amount_paid', type: 'bigint', transformer: bigintToNumber, default: 0 })
  amountPaid!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'hosted_invoice_url', type: 'varchar', length: 2048, nullable: true })
  hostedInvoiceUrl!: string | null;

  @Column({ name: 'customer_email', type: 'varchar', length: 320, nullable: true })
  customerEmail!: string | null;

  @Column({ name: 'last_event_created', type: 'bigint', transformer: bigintToNumber })
  lastEventCreated!: number;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
