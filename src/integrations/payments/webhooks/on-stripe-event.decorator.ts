import { SetMetadata } from '@nestjs/common';
import type Stripe from 'stripe';

export const ON_STRIPE_EVENT = 'portico:on-stripe-event';

/** A Stripe event type (`Stripe.Event.Type`, so a typo fails to compile), or `'*'` for every event (run after the specific handlers). */
export type StripeEventPattern = Stripe.Event.Type | '*';

export interface OnStripeEventOptions {
  /**
   * This handler must be the only one for its type(s) (e.g. it owns a state
   * change): start-up fails when another handler claims the same type.
   */
  readonly exclusive?: boolean;
}

export interface StripeEventHandlerMetadata {
  readonly types: readonly StripeEventPattern[];
  readonly exclusive: boolean;
}

/**
 * Declares a provider method as a handler of stored Stripe events of the
 * given type(s). Only stores metadata: `StripeEventExplorer` finds the
 * methods at start-up. Handlers run from the durable inbox, at least once
 * per event (a failure retries the event with backoff), so they must be
 * idempotent; they receive the parsed event and its inbox context.
 *
 * @example
 * ```ts
 * @OnStripeEvent('invoice.paid')
 * async onInvoicePaid(event: Stripe.Event, context: StripeEventContext): Promise<void> { ... }
 *
 * @OnStripeEvent(['refund.created', 'refund.updated'], { exclusive: true })
 * ```
 */
export const OnStripeEvent = (
  types: StripeEventPattern | readonly [StripeEventPattern, ...StripeEventPattern[]],
  options: OnStripeEventOptions = {},
): MethodDecorator =>
  SetMetadata<string, StripeEventHandlerMetadata>(ON_STRIPE_EVENT, {
    types: typeof types === 'string' ? [types] : [...types],
    exclusive: options.exclusive === true,
  });
