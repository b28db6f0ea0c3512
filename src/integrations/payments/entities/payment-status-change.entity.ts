import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** One applied status change of a payment (its history, in `version` order). */
@Entity('payment_status_changes')
@Index('uq_payment_status_changes_version', ['paymentId', 'version'], { unique: true })
export class PaymentStatusChangeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'payment_id', type: 'varchar', length: 36 })
  paymentId!: string;

  /** The payment's `status_version` this change produced: history is ordered by it. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 32 })
  status!: string;

  /** `api` (our own call's answer), `webhook` or `catch-up`. */
  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @Column({ name: 'event_id', type: 'varchar', length: 255, nullable: true })
  eventId!: string | null;

  @Column({ name: 'occurred_at', type: Date })
  occurredAt!: Date;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
