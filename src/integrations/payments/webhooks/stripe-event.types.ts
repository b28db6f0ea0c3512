import type Stripe from 'stripe';

/** Where a stored event came from and which attempt this is. */
export interface StripeEventContext {
  /** Inbox row id. */
  readonly rowId: string;
  readonly source: 'webhook' | 'catch-up';
  /** 1 on the first attempt. */
  readonly attempt: number;
}

export type StripeEventHandler = (event: Stripe.Event, context: StripeEventContext) => unknown;

export interface RegisteredStripeHandler {
  /** `Class.method`, for logs. */
  readonly name: string;
  readonly call: StripeEventHandler;
}
