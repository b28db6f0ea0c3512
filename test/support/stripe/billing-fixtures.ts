import { stripeEvent } from './stripe-fixtures';

type StripeEventJson = Record<string, unknown> & { id: string; created: number };

/** An event carrying a copy of `object` as it is now (later changes to the fake do not leak into it). */
export function snapshotEvent(type: string, object: object, created: number, id?: string): StripeEventJson {
  return stripeEvent(type, structuredClone(object) as Record<string, unknown>, created, id === undefined ? {} : { id });
}

export function disputeEvent(
  type: 'charge.dispute.created' | 'charge.dispute.closed',
  paymentIntent: string,
  status: string,
  created: number,
): StripeEventJson {
  return stripeEvent(
    type,
    {
      id: `dp_${paymentIntent}`,
      object: 'dispute',
      charge: `ch_${paymentIntent}`,
      payment_intent: paymentIntent,
      amount: 1000,
      currency: 'eur',
      reason: 'fraudulent',
      status,
    },
    created,
  );
}
