import { registerAs } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
import { int, list, str } from './env.parse';
import { type EnvSpec, groupComplete } from './env-rules';
import { EmptyAsUndefined, IsHttpUrl, IsIntString, IsListOf } from './env.validators';

const STRIPE_GROUP = {
  label: 'payments (Stripe)',
  required: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
  optional: ['STRIPE_API_BASE'],
} as const;

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
}

export const stripeConfig = registerAs('stripe', () => {
  const env = process.env;
  const secretKey = str(env.STRIPE_SECRET_KEY);
  return {
    /** False when no STRIPE_* is set: payments answer 503 "not configured". */
    configured: groupComplete(env, STRIPE_GROUP),
    secretKey,
    /** Several secrets may be listed during rotation; any one verifying is enough. */
    webhookSecrets: list(env.STRIPE_WEBHOOK_SECRET),
    apiBase: str(env.STRIPE_API_BASE),
    webhookToleranceSeconds: int(env.STRIPE_WEBHOOK_TOLERANCE_SECONDS, 300),
    /** Minutes between scheduled catch-ups from Stripe's events list; 0 (default) leaves it to the CLI. */
    catchUpIntervalMinutes: int(env.STRIPE_CATCH_UP_INTERVAL_MINUTES, 0),
    /** How long a claimed inbox event is held before another worker may take it over (crash recovery delay). */
    eventLeaseMs: int(env.STRIPE_EVENT_LEASE_MS, 30_000),
    livemode: secretKey?.includes('_live_') ?? false,
  };
});

export type StripeConfig = ReturnType<typeof stripeConfig>;

export const stripeEnv: EnvSpec = { namespace: 'stripe', schema: StripeEnv, groups: [STRIPE_GROUP] };
