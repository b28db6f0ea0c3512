/** Durable domain events billing publishes (consume with `@OnDurableEvent`; delivered at least once). */
export const BillingDomainEvent = {
  /** An invoice payment failed (each failed attempt once): tell the customer, with the hosted invoice link. */
  invoicePaymentFailed: 'invoice.payment_failed',
  /** An invoice needs the customer to authenticate (3-D Secure): send them to the hosted invoice page. */
  invoiceActionRequired: 'invoice.payment_action_required',
  /** A chargeback was opened on a payment. */
  paymentDisputed: 'payment.disputed',
  /** A chargeback was closed (`won`, `lost`, `warning_closed`). */
  paymentDisputeClosed: 'payment.dispute_closed',
} as const;

export interface InvoiceEventPayload {
  /** Stripe event id: one reaction per event, however often it is delivered. */
  readonly eventId: string;
  readonly invoiceId: string;
  readonly ownerId: string | null;
  readonly customerEmail: string | null;
  readonly hostedInvoiceUrl: string | null;
  readonly amountDue: number;
  readonly currency: string;
}

export interface PaymentDisputePayload {
  readonly paymentId: string;
  readonly stripeId: string;
  readonly ownerId: string | null;
  readonly disputeId: string;
  readonly status: string;
  readonly amount: number;
  readonly currency: string;
  readonly reason: string | null;
}
