import { isRecord } from '../payments/handlers/stripe-objects';

/**
 * Narrow readers for Stripe billing objects, from webhook payloads (stored
 * JSON) and from the SDK alike, so both paths produce the same snapshot.
 * API 2026-10-28: a subscription's period lives on its items; an invoice
 * names its subscription under `parent.subscription_details`.
 */
export interface SubscriptionItemSnapshot {
  readonly id: string;
  readonly price: string | null;
  readonly product: string | null;
  readonly quantity: number;
}

export interface SubscriptionSnapshot {
  readonly id: string;
  readonly customer: string | null;
  readonly status: string;
  readonly items: SubscriptionItemSnapshot[];
  readonly currentPeriodEnd: number | null;
  readonly cancelAtPeriodEnd: boolean;
  readonly trialEnd: number | null;
  readonly latestInvoice: string | null;
}

export interface InvoiceSnapshot {
  readonly id: string;
  readonly customer: string | null;
  readonly subscription: string | null;
  readonly status: string;
  readonly amountDue: number;
  readonly amountPaid: number;
  readonly currency: string;
  readonly hostedInvoiceUrl: string | null;
  readonly customerEmail: string | null;
}

export interface CheckoutSessionSnapshot {
  readonly id: string;
  readonly status: string;
  readonly paymentStatus: string | null;
  readonly subscription: string | null;
  readonly customer: string | null;
}

export interface DisputeSnapshot {
  readonly id: string;
  readonly paymentIntent: string | null;
  readonly status: string;
  readonly amount: number;
  readonly currency: string;
  readonly reason: string | null;
}

export function readSubscription(object: unknown): SubscriptionSnapshot | undefined {
  if (!isRecord(object) || object.object !== 'subscription' || typeof object.id !== 'string') return undefined;
  const items = isRecord(object.items) && Array.isArray(object.items.data) ? object.items.data : [];
  const snapshots = items.filter(isRecord).map((item) => ({
    id: typeof item.id === 'string' ? item.id : '',
    price: idOf(item.price),
    product: isRecord(item.price) ? idOf(item.price.product) : null,
    quantity: typeof item.quantity === 'number' ? item.quantity : 1,
  }));
  const ends = items.filter(isRecord).map((item) => numOrNull(item.current_period_end));
  const known = ends.filter((end): end is number => end !== null);
  return {
    id: object.id,
    customer: idOf(object.customer),
    status: typeof object.status === 'string' ? object.status : 'incomplete',
    items: snapshots,
    currentPeriodEnd: known.length === 0 ? null : Math.max(...known),
    cancelAtPeriodEnd: object.cancel_at_period_end === true,
    trialEnd: numOrNull(object.trial_end),
    latestInvoice: idOf(object.latest_invoice),
  };
}

export function readInvoice(object: unknown): InvoiceSnapshot | undefined {
  if (!isRecord(object) || object.object !== 'invoice' || typeof object.id !== 'string') return undefined;
  const details = isRecord(object.parent) ? object.parent.subscription_details : undefined;
  return {
    id: object.id,
    customer: idOf(object.customer),
    subscription: isRecord(details) ? idOf(details.subscription) : null,
    status: typeof object.status === 'string' ? object.status : 'draft',
    amountDue: numOrNull(object.amount_due) ?? 0,
    amountPaid: numOrNull(object.amount_paid) ?? 0,
    currency: typeof object.currency === 'string' ? object.currency : 'usd',
    hostedInvoiceUrl: typeof object.hosted_invoice_url === 'string' ? object.hosted_invoice_url : null,
    customerEmail: typeof object.customer_email === 'string' ? object.customer_email : null,
  };
}

export function readCheckoutSession(object: unknown): CheckoutSessionSnapshot | undefined {
  if (!isRecord(object) || object.object !== 'checkout.session' || typeof object.id !== 'string') return undefined;
  return {
    id: object.id,
    status: typeof object.status === 'string' ? object.status : 'open',
    paymentStatus: typeof object.payment_status === 'string' ? object.payment_status : null,
    subscription: idOf(object.subscription),
    customer: idOf(object.customer),
  };
}

export function readDispute(object: unknown): DisputeSnapshot | undefined {
  if (!isRecord(object) || object.object !== 'dispute' || typeof object.id !== 'string') return undefined;
  return {
    id: object.id,
    paymentIntent: idOf(object.payment_intent),
    status: typeof object.status === 'string' ? object.status : 'needs_response',
    amount: numOrNull(object.amount) ?? 0,
    currency: typeof object.currency === 'string' ? object.currency : 'usd',
    reason: typeof object.reason === 'string' ? object.reason : null,
  };
}

/** An expandable reference: the id string, or the expanded object's id. */
function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return isRecord(value) && typeof value.id === 'string' ? value.id : null;
}

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
