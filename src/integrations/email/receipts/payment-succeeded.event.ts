/** Event name payments emits (through @nestjs/event-emitter) once a payment has succeeded. */
export const PAYMENT_SUCCEEDED = 'payment.succeeded';

/**
 * The payload email expects with `payment.succeeded`. Payments owns the
 * event; this is the part of it the receipt uses (extra fields are ignored).
 * Amounts are in the currency's minor unit (cents), as Stripe reports them.
 */
export interface PaymentSucceededEvent {
  readonly paymentId: string;
  readonly amount: number;
  /** ISO 4217, any case (`usd`, `EUR`). */
  readonly currency: string;
  /** Where the receipt goes; no receipt without it. */
  readonly customerEmail?: string | null;
  /** Owner of the payment (`key:<id>` / `user:<id>`); the receipt is theirs to read. */
  readonly ownerId?: string | null;
  readonly description?: string | null;
}

/** Narrows an unknown payload to the fields the receipt needs. */
export function isPaymentSucceededEvent(value: unknown): value is PaymentSucceededEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.paymentId === 'string' &&
    v.paymentId !== '' &&
    typeof v.amount === 'number' &&
    Number.isFinite(v.amount) &&
    typeof v.currency === 'string' &&
    /^[a-z]{3}$/i.test(v.currency)
  );
}
