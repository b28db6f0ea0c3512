import { Column, Entity, Index } from 'typeorm';
import { bigintToNumber } from '../../../core/database/bigint.transformer';
import { DurableRecord } from '../../../core/durable/durable-record.entity';

/**
 * The webhook inbox: one row per Stripe event, stored before we answer 200.
 * Unique on Stripe's event id, so a redelivery (or a catch-up of an event
 * we already have) inserts nothing and is not processed again.
 */
@Entity('stripe_events')
export class StripeEventEntity extends DurableRecord {
  @Index('uq_stripe_events_event_id', { unique: true })
  @Column({ name: 'event_id', type: 'varchar', length: 255 })
  eventId!: string;

  @Column({ type: 'varchar', length: 255 })
  type!: string;

  @Column({ type: 'boolean' })
  livemode!: boolean;

  /** Stripe's `event.created`, Unix seconds. */
  @Column({ name: 'event_created', type: 'bigint', transformer: bigintToNumber })
  eventCreated!: number;

  /** The event JSON exactly as received. */
  @Column({ type: 'text' })
  payload!: string;

  /** `webhook` or `catch-up`. */
  @Column({ type: 'varchar', length: 16 })
  source!: string;
}
