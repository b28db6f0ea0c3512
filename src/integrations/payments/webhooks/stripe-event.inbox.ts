import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../../../core/database/ids';
import type { DurableQueue } from '../../../core/durable/durable.types';
import type { VerifiedStripeEvent } from './stripe-signature.verifier';

export type StripeEventSource = 'webhook' | 'catch-up';

/**
 * Writes events into the `stripe_events` inbox. One statement per event —
 * `INSERT … ON CONFLICT (event_id) DO NOTHING RETURNING id` — so the webhook
 * path does no read, a redelivery inserts nothing, and whether the event
 * was new comes back with the insert. The processor is kicked, not awaited.
 */
@Injectable()
export class StripeEventInbox {
  private queue: DurableQueue | undefined;
  private readonly insertSql: string;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const postgres = dataSource.options.type === 'postgres';
    const p = (n: number): string => (postgres ? `$${n}` : '?');
    this.insertSql =
      'INSERT INTO stripe_events (id, event_id, type, livemode, event_created, payload, source) ' +
      `VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}) ON CONFLICT (event_id) DO NOTHING RETURNING id`;
  }

  /** Set once the durable queue is registered; until then stored events wait for the next poll. */
  attach(queue: DurableQueue): void {
    this.queue = queue;
  }

  get attachedQueue(): DurableQueue | undefined {
    return this.queue;
  }

  /** Stores the event unless its id is already in the inbox; true when it was new. */
  async store(event: VerifiedStripeEvent, payload: string, source: StripeEventSource): Promise<boolean> {
    const rows: unknown = await this.dataSource.query(this.insertSql, [uuidv7(), event.id, event.type, event.livemode, event.created, payload, source]);
    const stored = Array.isArray(rows) && rows.length > 0;
    if (stored) this.queue?.kick();
    return stored;
  }
}
