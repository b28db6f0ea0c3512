import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** How far the current `email:suppressions:sync` run has read one SendGrid list (rows exist only during a run). */
@Entity({ name: 'email_suppression_sync' })
export class SuppressionSyncProgress {
  /** `bounces`, `spam_reports`, `unsubscribes` or `group:<id>`. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  list!: string;

  @Column({ name: 'next_offset', type: 'integer', default: 0 })
  nextOffset!: number;

  @Column({ type: 'boolean', default: false })
  complete!: boolean;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
