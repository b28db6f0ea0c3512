import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '../../../core/database/bigint.transformer';

@Entity('refunds')
@Index('ix_refunds_payment', ['paymentId'])
export class RefundEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'payment_id', type: 'varchar', length: 36 })
  paymentId!: string;

  @Index('uq_refunds_stripe_id', { unique: true })
  @Column({ name: 'stripe_id', type: 'varchar', length: 255, nullable: true })
  stripeId!: string | null;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  amount!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  /** `creating` until Stripe answered, then Stripe's refund status. */
  @Column({ type: 'varchar', length: 32 })
  status!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  reason!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
