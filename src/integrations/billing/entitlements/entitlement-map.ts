/** One `BILLING_ENTITLEMENTS` item: a Stripe price or product id, `:`, features joined by `+`. */
export const ENTITLEMENT_ITEM = /^(price|prod)_[A-Za-z0-9_]+:[a-z0-9][a-z0-9_-]*(\+[a-z0-9][a-z0-9_-]*)*$/;

/** Price or product id → the features it grants. */
export type EntitlementMap = ReadonlyMap<string, readonly string[]>;

/**
 * Parses `price_123:pro+reports,prod_456:pro` (already validated) into a map;
 * an id listed twice grants the union of its features.
 */
export function parseEntitlements(items: readonly string[]): EntitlementMap {
  const map = new Map<string, string[]>();
  for (const item of items) {
    const [id, features] = item.split(':');
    map.set(id, [...new Set([...(map.get(id) ?? []), ...features.split('+')])]);
  }
  return map;
}

/** Features granted by subscription items (each names a price and its product). */
export function featuresOf(
  map: EntitlementMap,
  items: ReadonlyArray<{ readonly price: string | null; readonly product: string | null }>,
): string[] {
  const features = new Set<string>();
  for (const item of items) {
    for (const id of [item.price, item.product]) {
      if (id !== null) for (const feature of map.get(id) ?? []) features.add(feature);
    }
  }
  return [...features].sort();
}
