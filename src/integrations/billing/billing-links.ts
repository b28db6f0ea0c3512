/** Metadata Portico puts on Stripe billing objects, so events and the dashboard lead back to our rows. */
export const BILLING_REFERENCE_METADATA_KEY = 'portico_checkout_id';

/** Outbound idempotency keys: stable for every retry of one logical operation. */
export const billingKey = {
  checkout: (checkoutId: string): string => `portico-cs-create-${checkoutId}`,
  /** Per API request (a later, different change to the same subscription must not replay this one). */
  subscription: (action: string, requestId: string): string => `portico-sub-${action}-${requestId}`,
};
