/**
 * Our payment statuses: Stripe's PaymentIntent statuses, plus `creating`
 * (stored before Stripe answered) and `failed` (a `payment_intent.payment_failed`
 * event; Stripe itself moves the intent back to `requires_payment_method`).
 */
export const PAYMENT_STATUSES = [
  'creating',
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'failed',
  'requires_capture',
  'succeeded',
  'canceled',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Terminal statuses share the top rank: once reached, nothing moves the payment again. */
export const TERMINAL_RANK = 10;

/**
 * Precedence used when two updates carry the same `event.created` second
 * (and to let a terminal status win over anything): a later stage of the
 * payment flow ranks higher.
 */
const RANKS: Readonly<Record<PaymentStatus, number>> = {
  creating: -1,
  requires_payment_method: 0,
  requires_confirmation: 1,
  requires_action: 2,
  processing: 3,
  failed: 4,
  requires_capture: 5,
  succeeded: TERMINAL_RANK,
  canceled: TERMINAL_RANK,
};

export function statusRank(status: PaymentStatus): number {
  return RANKS[status];
}

export function isPaymentStatus(value: string): value is PaymentStatus {
  return (PAYMENT_STATUSES as readonly string[]).includes(value);
}

/** Maps a PaymentIntent status as Stripe reports it (unknown future values → undefined). */
export function fromIntentStatus(status: string): PaymentStatus | undefined {
  return isPaymentStatus(status) && status !== 'creating' && status !== 'failed' ? status : undefined;
}

export const REFUND_STATUSES = ['pending', 'requires_action', 'succeeded', 'failed', 'canceled'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/**
 * Refunds move pending → succeeded → failed/canceled (a bank can fail a
 * refund after it succeeded); never backwards.
 */
export function refundRank(status: string): number {
  if (status === 'failed' || status === 'canceled') return 2;
  return status === 'succeeded' ? 1 : 0;
}

/** Statuses a refund may leave for one of `rank`. */
export function refundStatusesBelow(rank: number): string[] {
  return ['creating', 'pending', 'requires_action', 'succeeded', 'failed', 'canceled'].filter(
    (status) => status === 'creating' || refundRank(status) < rank,
  );
}
