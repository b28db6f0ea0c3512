import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { stripeConfig } from '../../../config/stripe.config';
import { DurableProcessor } from '../../../core/durable/durable.processor';
import { isIntegrationError } from '../../../core/errors/integration.error';
import { StripeEventEntity } from '../entities/stripe-event.entity';
import { StripeEventDispatcher } from './stripe-event.dispatcher';
import { StripeEventInbox } from './stripe-event.inbox';

export const STRIPE_EVENTS_QUEUE = 'stripe-events';

/**
 * Registers the `stripe-events` durable queue — claim with a lease (SKIP
 * LOCKED on PostgreSQL), dispatch by type, retry with backoff, dead-letter
 * after 8 attempts — and attaches it to the inbox so a stored event is
 * handled at once. One-shot CLI contexts have no processor: there the inbox
 * only stores, and the running app picks the rows up on its next poll.
 */
@Injectable()
export class StripeEventQueue implements OnModuleInit {
  constructor(
    private readonly dispatcher: StripeEventDispatcher,
    private readonly inbox: StripeEventInbox,
    @Inject(stripeConfig.KEY) private readonly config: ConfigType<typeof stripeConfig>,
    @Optional() @Inject(DurableProcessor) private readonly processor: DurableProcessor | null,
  ) {}

  onModuleInit(): void {
    if (!this.processor) return;
    const queue = this.processor.register<StripeEventEntity>({
      name: STRIPE_EVENTS_QUEUE,
      entity: StripeEventEntity,
      handle: (row) => this.dispatcher.handle(row),
      // Handlers are short database work; more slots keep a burst of deliveries moving.
      concurrency: 8,
      batchSize: 50,
      leaseMs: this.config.eventLeaseMs,
      // A provider refusal inside a handler will not change on retry.
      isPermanent: (error) => isIntegrationError(error) && !error.retryable,
    });
    this.inbox.attach(queue);
  }
}
