import type { ConfigType } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
import { int, list, str } from '../../config/env.parse';
import { EmptyAsUndefined, IsHttpUrl, IsIntString, IsListOf } from '../../config/env.validators';
import { defineProviderConfig } from '../../config/provider-config';

class StripeEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^(sk|rk)_(test|live)_\S+$/, {
    message: 'STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_…)',
  })
  STRIPE_SECRET_KEY?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsListOf((item) => /^whsec_\S+$/.test(item), 'webhook signing secrets (whsec_…)')
  STRIPE_WEBHOOK_SECRET?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  STRIPE_API_BASE?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 3600)
  STRIPE_WEBHOOK_TOLERANCE_SECONDS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(0, 1440)
  STRIPE_CATCH_UP_INTERVAL_MINUTES?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1_000, 600_000)
  STRIPE_EVENT_LEASE_MS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(0, 1_000_000)
  STRIPE_EVENT_BACKLOG_LIMIT?: string;
}

/** Stripe: its variables, the group that turns payments on, its secrets and defaults. */
export const stripeConfig = defineProviderConfig({
  namespace: 'stripe',
  label: 'payments (Stripe)',
  schema: StripeEnv,
  required: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
  optional: ['STRIPE_API_BASE'],
  secrets: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
  load: (env) => {
    const secretKey = str(env.STRIPE_SECRET_KEY);
    return {
      secretKey,
      /** Several secrets may be listed during rotation; any one verifying is enough. */
      webhookSecrets: list(env.STRIPE_WEBHOOK_SECRET),
      apiBase: str(env.STRIPE_API_BASE),
      webhookToleranceSeconds: int(env.STRIPE_WEBHOOK_TOLERANCE_SECONDS, 300),
      /** Minutes between scheduled catch-ups from Stripe's events list; 0 (default) leaves it to the CLI. */
      catchUpIntervalMinutes: int(env.STRIPE_CATCH_UP_INTERVAL_MINUTES, 0),
      /** How long a claimed inbox event is held before another worker may take it over (crash recovery delay). */
      eventLeaseMs: int(env.STRIPE_EVENT_LEASE_MS, 30_000),
      /**
       * Events this instance stores ahead of its own handlers before the webhook's answer waits for them
       * (at most a second; 0 = never wait). Keeps intake from outrunning processing in one process.
       */
      eventBacklogLimit: int(env.STRIPE_EVENT_BACKLOG_LIMIT, 500),
      livemode: secretKey?.includes('_live_') ?? false,
    };
  },
});

export type StripeConfig = ConfigType<typeof stripeConfig>;
