import { findEnvProblems } from './env.validation';
import { stripeConfig } from './stripe.config';

const COMPLETE = { STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_a' };

describe('stripe config', () => {
  it.each([
    ['STRIPE_CATCH_UP_INTERVAL_MINUTES', '-5'],
    ['STRIPE_CATCH_UP_INTERVAL_MINUTES', '1441'],
    ['STRIPE_WEBHOOK_TOLERANCE_SECONDS', '0'],
    ['STRIPE_EVENT_LEASE_MS', '10'],
    ['STRIPE_WEBHOOK_SECRET', 'whsec_a,not-a-secret'],
  ])('refuses %s=%s', (name, value) => {
    expect(findEnvProblems({ ...COMPLETE, [name]: value }).some((p) => p.startsWith(`${name}:`))).toBe(true);
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
