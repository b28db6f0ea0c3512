import { stripeClientOptions } from './stripe-client.provider';

const base = {
  configured: true,
  missing: undefined,
  secretKey: 'sk_test_x',
  webhookSecrets: ['whsec_x'],
  webhookToleranceSeconds: 300,
  catchUpIntervalMinutes: 0,
  eventLeaseMs: 30_000,
  eventBacklogLimit: 500,
  livemode: false,
};

describe(stripeClientOptions.name, () => {
  it('switches SDK retries off, pins the API version and applies the policy timeout', () => {
    expect(stripeClientOptions({ ...base, apiBase: undefined }, 4_000)).toMatchObject({
      maxNetworkRetries: 0,
      apiVersion: '2026-10-28.endive',
      timeout: 4_000,
    });
    expect(stripeClientOptions({ ...base, apiBase: undefined }, 4_000).host).toBeUndefined();
  });

  it('splits STRIPE_API_BASE into protocol, host and port', () => {
    expect(stripeClientOptions({ ...base, apiBase: 'http://127.0.0.1:12111' }, 4_000)).toMatchObject({
      protocol: 'http',
      host: '127.0.0.1',
      port: 12111,
    });
    expect(stripeClientOptions({ ...base, apiBase: 'https://stripe.internal' }, 4_000)).toMatchObject({
      protocol: 'https',
      host: 'stripe.internal',
      port: 443,
    });
  });
});
