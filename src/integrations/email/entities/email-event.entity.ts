import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EmailStatus } from '../email-status';
import type { JsonObject } from '../json';

/** One line of a message's status history (ours or SendGrid's). */
@Entity({ name: 'email_events' })
@Index('ix_email_events_email', ['emailId', 'id'])
export class EmailEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'email_id', type: 'varchar', length: 36 })
  emailId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: EmailStatus;

  @Column({ name: 'occurred_at', type: Date })
  occurredAt!: Date;

  /** Safe details: SendGrid's reason/response, our error message, the recipient. */
  @Column({ type: 'simple-json', nullable: true })
  detail!: JsonObject | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
