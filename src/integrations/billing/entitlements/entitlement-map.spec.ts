import { ENTITLEMENT_ITEM, featuresOf, parseEntitlements } from './entitlement-map';

describe('BILLING_ENTITLEMENTS', () => {
  it('accepts price and product ids with one or more features, and nothing else', () => {
    for (const ok of ['price_123:pro', 'prod_456:pro+reports', 'price_1Abc_x:team-plan'])
      expect(ENTITLEMENT_ITEM.test(ok)).toBe(true);
    for (const bad of ['123:pro', 'price_1:', 'price_1:Pro', 'sub_1:pro', 'price_1:pro++x', 'price_1 pro'])
      expect(ENTITLEMENT_ITEM.test(bad)).toBe(false);
  });

  it('maps ids to features; an id listed twice grants the union', () => {
    const map = parseEntitlements(['price_1:pro+reports', 'prod_2:pro', 'price_1:team']);
    expect(map.get('price_1')).toEqual(['pro', 'reports', 'team']);
    expect(map.get('prod_2')).toEqual(['pro']);
  });

  it('grants what an item’s price or its product is mapped to, sorted and once each', () => {
    const map = parseEntitlements(['price_1:reports', 'prod_2:pro', 'prod_3:pro+team']);
    expect(
      featuresOf(map, [
        { price: 'price_1', product: 'prod_2' },
        { price: 'price_9', product: 'prod_3' },
        { price: null, product: null },
      ]),
    ).toEqual(['pro', 'reports', 'team']);
    expect(featuresOf(map, [{ price: 'price_9', product: 'prod_9' }])).toEqual([]);
  });
});
