import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The one Stripe customer of an owner (`key:<id>` / `user:<id>`), created on first need. */
@Entity('billing_customers')
export class CustomerEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 80 })
  ownerId!: string;

  @Column({ name: 'stripe_id', type: 'varchar', length: 255, nullable: true })
  stripeId!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
