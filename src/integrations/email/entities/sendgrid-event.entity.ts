import { Column, Entity, Index } from 'typeorm';
import { DurableRecord } from '../../../core/durable/durable-record.entity';

/**
 * One SendGrid event-webhook event, stored before we answer SendGrid and
 * applied to its message by the inbox processor. `sg_event_id` is unique,
 * so a redelivered event is stored (and applied) once.
 */
@Entity({ name: 'sendgrid_events' })
@Index('uq_sendgrid_events_sg_event_id', ['sgEventId'], { unique: true })
export class SendGridEventRecord extends DurableRecord {
  @Column({ name: 'sg_event_id', type: 'varchar', length: 255 })
  sgEventId!: string;

  @Column({ type: 'varchar', length: 32 })
  event!: string;

  /** The event as SendGrid sent it (JSON text). */
  @Column({ type: 'text' })
  payload!: string;
}
