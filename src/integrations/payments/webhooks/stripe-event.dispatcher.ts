import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { PermanentFailure } from '../../../core/durable/durable.types';
import type { StripeEventEntity } from '../entities/stripe-event.entity';
import { StripeEventExplorer } from './stripe-event.explorer';

/**
 * Handles one claimed inbox row: parses the stored event and runs its
 * `@OnStripeEvent` handlers in order. An event type nobody handles is simply
 * done. A handler's error fails the row, which the processor retries with
 * backoff (all handlers run again: they are idempotent).
 */
@Injectable()
export class StripeEventDispatcher {
  constructor(private readonly explorer: StripeEventExplorer) {}

  async handle(row: StripeEventEntity): Promise<void> {
    let event: Stripe.Event;
    try {
      event = JSON.parse(row.payload) as Stripe.Event;
    } catch (error) {
      throw new PermanentFailure(`stored event ${row.eventId} is not JSON`, { cause: error });
    }
    const context = {
      rowId: row.id,
      source: row.source === 'catch-up' ? ('catch-up' as const) : ('webhook' as const),
      attempt: row.attempts,
    };
    for (const handler of this.explorer.handlersFor(row.type)) {
      await handler.call(event, context);
    }
  }
}
