import { SetMetadata } from '@nestjs/common';

export const ON_STRIPE_EVENT = 'portico:on-stripe-event';

/** `'*'` receives every event, after the handlers for its specific type. */
export type StripeEventPattern = string;

/**
 * Declares a provider method as a handler of stored Stripe events of the
 * given type(s), e.g. `@OnStripeEvent('payment_intent.succeeded')` or
 * `@OnStripeEvent('*')`. Only stores metadata: `StripeEventExplorer` finds
 * the methods at start-up. Handlers run from the durable inbox, at least
 * once per event (a failure retries the event with backoff), so they must be
 * idempotent; they receive the parsed event and its inbox context.
 *
 * @example
 * ```ts
 * @OnStripeEvent('invoice.paid')
 * async onInvoicePaid(event: Stripe.Event, context: StripeEventContext): Promise<void> { ... }
 * ```
 */
export const OnStripeEvent = (...types: [StripeEventPattern, ...StripeEventPattern[]]): MethodDecorator =>
  SetMetadata<string, readonly string[]>(ON_STRIPE_EVENT, types);
