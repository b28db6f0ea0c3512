import type { ConfigType } from '@nestjs/config';
import { IsOptional } from 'class-validator';
import { int, list } from '../../config/env.parse';
import { EmptyAsUndefined, IsIntString, IsListOf } from '../../config/env.validators';
import { defineProviderConfig } from '../../config/provider-config';
import { ENTITLEMENT_ITEM, parseEntitlements } from './entitlements/entitlement-map';

class BillingEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsListOf((item) => ENTITLEMENT_ITEM.test(item), 'price_…/prod_… ids with features (price_123:pro+reports)')
  BILLING_ENTITLEMENTS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(0, 90)
  BILLING_GRACE_DAYS?: string;
}

/**
 * Billing on Stripe. It needs nothing of its own to run (Stripe's keys turn
 * it on, see `stripeConfig`); these say which prices grant which features.
 */
export const billingConfig = defineProviderConfig({
  namespace: 'billing',
  label: 'billing (Stripe)',
  schema: BillingEnv,
  required: [],
  load: (env) => ({
    /** Price or product id → features (`GET /billing/entitlements`, `@RequiresEntitlement`). */
    entitlements: parseEntitlements(list(env.BILLING_ENTITLEMENTS)),
    /** Days a `past_due` subscription keeps its features (default 3; 0 = none). */
    graceDays: int(env.BILLING_GRACE_DAYS, 3),
  }),
});

export type BillingConfig = ConfigType<typeof billingConfig>;
