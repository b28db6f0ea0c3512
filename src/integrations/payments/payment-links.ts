/** Metadata keys Portico adds to Stripe objects so webhooks find our rows even before our own write landed. */
export const PAYMENT_ID_METADATA_KEY = 'portico_payment_id';
export const REFUND_ID_METADATA_KEY = 'portico_refund_id';
/** On a Stripe customer: the owner (`key:<id>` / `user:<id>`) it belongs to. */
export const OWNER_METADATA_KEY = 'portico_owner_id';

/** Outbound idempotency keys: derived from our row ids, so every retry of one operation sends the same key. */
export const outboundKey = {
  createIntent: (paymentId: string): string => `portico-pi-create-${paymentId}`,
  capture: (paymentId: string): string => `portico-pi-capture-${paymentId}`,
  cancel: (paymentId: string): string => `portico-pi-cancel-${paymentId}`,
  refund: (refundId: string): string => `portico-refund-${refundId}`,
  /** One customer per owner, ever: a concurrent or repeated first call replays the same customer. */
  customer: (ownerId: string): string => `portico-customer-${ownerId}`,
};
