import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../../../core/database/ids';
import type { DurableQueue } from '../../../core/durable/durable.types';
import { StripeEventExplorer } from './stripe-event.explorer';
import type { VerifiedStripeEvent } from './stripe-signature.verifier';

export type StripeEventSource = 'webhook' | 'catch-up';

/**
 * Writes events into the `stripe_events` inbox. One statement per event —
 * `INSERT … ON CONFLICT (event_id) DO NOTHING RETURNING id` — so the webhook
 * path does no read, a redelivery inserts nothing, and whether the event
 * was new comes back with the insert. The processor is kicked, not awaited.
 * An event no handler wants is stored as already `done` (kept for audit and
 * replay) so it costs the processor nothing.
 */
@Injectable()
export class StripeEventInbox {
  private queue: DurableQueue | undefined;
  private readonly insertPending: string;
  private readonly insertDone: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly explorer: StripeEventExplorer,
  ) {
    const postgres = dataSource.options.type === 'postgres';
    const p = (n: number): string => (postgres ? `$${n}` : '?');
    const values = `${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}`;
    const conflict = 'ON CONFLICT (event_id) DO NOTHING RETURNING id';
    this.insertPending = `INSERT INTO stripe_events (id, event_id, type, livemode, event_created, payload, source) VALUES (${values}) ${conflict}`;
    this.insertDone =
      'INSERT INTO stripe_events (id, event_id, type, livemode, event_created, payload, source, status, processed_at) ' +
      `VALUES (${values}, 'done', CURRENT_TIMESTAMP) ${conflict}`;
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
    const handled = this.explorer.hasHandlers(event.type);
    const rows: unknown = await this.dataSource.query(handled ? this.insertPending : this.insertDone, [
      uuidv7(),
      event.id,
      event.type,
      event.livemode,
      event.created,
      payload,
      source,
    ]);
    const stored = Array.isArray(rows) && rows.length > 0;
    if (stored && handled) this.queue?.kick();
    return stored;
  }
}
