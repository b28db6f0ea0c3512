import { Column, Entity } from 'typeorm';
import { DurableRecord } from './durable-record.entity';

/** One delivery of a domain event to one durable consumer (`@OnDurableEvent`). */
@Entity('durable_events')
export class DurableEventEntity extends DurableRecord {
  /** Domain event name, e.g. `payment.succeeded`. */
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** `Class.method` of the consumer. */
  @Column({ type: 'varchar', length: 160 })
  consumer!: string;

  /** Unique per consumer: publishing the same change twice delivers it once. */
  @Column({ name: 'dedupe_key', type: 'varchar', length: 255 })
  dedupeKey!: string;

  /** The event payload, JSON. */
  @Column({ type: 'text' })
  payload!: string;
}
