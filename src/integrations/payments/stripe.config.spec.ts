import { ENV_SPECS, findEnvProblems as findAll } from '../../config/env.validation';
import type { RawEnv } from '../../config/env-rules';
import { declaredProviderConfigs } from '../../config/provider-config';
import { PaymentsModule } from './payments.module';
import { stripeConfig } from './stripe.config';

const findEnvProblems = (env: RawEnv): string[] => findAll(env, [...ENV_SPECS, stripeConfig.env]);

const COMPLETE = { STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_a' };

describe('stripe config', () => {
  it.each([
    ['STRIPE_CATCH_UP_INTERVAL_MINUTES', '-5'],
    ['STRIPE_CATCH_UP_INTERVAL_MINUTES', '1441'],
    ['STRIPE_WEBHOOK_TOLERANCE_SECONDS', '0'],
    ['STRIPE_EVENT_LEASE_MS', '10'],
    ['STRIPE_EVENT_BACKLOG_LIMIT', '-1'],
    ['STRIPE_WEBHOOK_SECRET', 'whsec_a,not-a-secret'],
  ])('refuses %s=%s', (name, value) => {
    expect(findEnvProblems({ ...COMPLETE, [name]: value }).some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('asks for the rest of the group once one variable is set', () => {
    expect(findEnvProblems({ STRIPE_SECRET_KEY: 'sk_test_x' })).toEqual([
      'STRIPE_WEBHOOK_SECRET: required for payments (Stripe) because STRIPE_SECRET_KEY is set',
    ]);
  });

  it('is declared by the payments module, so start-up finds and validates it', () => {
    expect(declaredProviderConfigs([PaymentsModule])).toEqual([stripeConfig]);
  });

  it('names the missing variables until the group is set', () => {
    const saved = { ...process.env };
    try {
      delete process.env.STRIPE_SECRET_KEY;
      delete process.env.STRIPE_WEBHOOK_SECRET;
      expect(stripeConfig()).toMatchObject({
        configured: false,
        missing: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
      });
    } finally {
      process.env = saved;
    }
  });

  it('parses rotation secrets, defaults and the key mode', () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      ...COMPLETE,
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_new, whsec_old',
      STRIPE_CATCH_UP_INTERVAL_MINUTES: '',
    });
    try {
      expect(stripeConfig()).toMatchObject({
        configured: true,
        missing: undefined,
        livemode: true,
        webhookSecrets: ['whsec_new', 'whsec_old'],
        webhookToleranceSeconds: 300,
        catchUpIntervalMinutes: 0,
      });
    } finally {
      process.env = saved;
    }
  });
});
