import type { Repository } from 'typeorm';
import type { BillingConfig } from '../billing.config';
import type { SubscriptionEntity } from '../entities/subscription.entity';
import { parseEntitlements } from './entitlement-map';
import { EntitlementsService } from './entitlements.service';

const NOW = Date.UTC(2026, 10, 30);
const DAY = 86_400;
const item = (price: string) => [{ id: `si_${price}`, price, product: `prod_${price}`, quantity: 1 }];

function sutWith(rows: Array<Pick<SubscriptionEntity, 'status' | 'statusSince' | 'items'>>, graceDays = 3) {
  // The repository filters by owner and status; the service decides about grace.
  const repo = { find: jest.fn(async () => rows) } as unknown as Repository<SubscriptionEntity>;
  const config = {
    entitlements: parseEntitlements(['price_pro:pro+reports', 'price_team:team']),
    graceDays,
  } as BillingConfig;
  return new EntitlementsService(repo, config);
}

describe(EntitlementsService.name, () => {
  const since = (daysAgo: number): number => NOW / 1000 - daysAgo * DAY;

  it('grants the features of active and trialing subscriptions', async () => {
    const sut = sutWith([
      { status: 'active', statusSince: since(100), items: item('price_pro') },
      { status: 'trialing', statusSince: since(1), items: item('price_team') },
    ]);
    await expect(sut.featuresOf('key:1', NOW)).resolves.toEqual(['pro', 'reports', 'team']);
  });

  it('keeps a past_due subscription’s features only within BILLING_GRACE_DAYS of becoming past_due', async () => {
    const within = sutWith([{ status: 'past_due', statusSince: since(2.9), items: item('price_pro') }]);
    const beyond = sutWith([{ status: 'past_due', statusSince: since(3.1), items: item('price_pro') }]);
    await expect(within.featuresOf('key:1', NOW)).resolves.toEqual(['pro', 'reports']);
    await expect(beyond.featuresOf('key:1', NOW)).resolves.toEqual([]);
  });

  it('gives no grace at all with BILLING_GRACE_DAYS=0', async () => {
    const sut = sutWith([{ status: 'past_due', statusSince: since(0), items: item('price_pro') }], 0);
    await expect(sut.featuresOf('key:1', NOW)).resolves.toEqual([]);
  });
});
