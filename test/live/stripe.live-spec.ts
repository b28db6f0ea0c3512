import Stripe from 'stripe';
import { StripePaymentGateway } from '../../src/integrations/payments/stripe/stripe-payments.adapter';
import { stripeClientOptions } from '../../src/integrations/payments/stripe/stripe-client.provider';
import { ProviderRejectedError } from '../../src/core/errors/integration.error';

/**
 * Runs our adapter against Stripe's real test mode: `STRIPE_TEST_SECRET_KEY=sk_test_… npm run test:live`.
 * Checks what the contract server only imitates: the pinned API version is
 * accepted, idempotency keys replay, and errors map as we expect.
 */
const key = process.env.STRIPE_TEST_SECRET_KEY;
if (!key) process.stdout.write('stripe.live-spec: STRIPE_TEST_SECRET_KEY is not set; skipping the live Stripe test\n');
const describeLive = key ? describe : describe.skip;

describeLive('StripePaymentGateway against Stripe test mode', () => {
  const config = {
    configured: true,
    missing: undefined,
    secretKey: key,
    webhookSecrets: [],
    apiBase: undefined,
    webhookToleranceSeconds: 300,
    timeoutMs: 20_000,
    catchUpIntervalMinutes: 0,
    eventLeaseMs: 30_000,
    eventBacklogLimit: 500,
    livemode: false,
  };
  let sut: StripePaymentGateway;
  const run = Date.now().toString(36);
  beforeAll(() => {
    sut = new StripePaymentGateway(new Stripe(key ?? '', stripeClientOptions(config, 15_000)));
  });

  it('creates an intent once per idempotency key, retrieves and cancels it', async () => {
    const input = {
      amount: 1234,
      currency: 'eur',
      metadata: { portico_live_test: run },
      idempotencyKey: `portico-live-${run}`,
      captureMethod: 'manual' as const,
    };
    const first = await sut.createIntent(input);
    const replay = await sut.createIntent(input);
    expect(replay.providerId).toBe(first.providerId);
    expect((await sut.retrieveIntent(first.providerId)).amount).toBe(1234);
    const canceled = await sut.cancelIntent({
      providerId: first.providerId,
      idempotencyKey: `portico-live-cancel-${run}`,
    });
    expect(canceled.status).toBe('canceled');
  });

  it('maps a reused key with different parameters and an invalid parameter to rejections', async () => {
    await sut.createIntent({ amount: 500, currency: 'eur', metadata: {}, idempotencyKey: `portico-live-reuse-${run}` });
    await expect(
      sut.createIntent({ amount: 501, currency: 'eur', metadata: {}, idempotencyKey: `portico-live-reuse-${run}` }),
    ).rejects.toMatchObject({ httpStatus: 409 });
    await expect(
      sut.createIntent({
        amount: 500,
        currency: 'not-a-currency',
        metadata: {},
        idempotencyKey: `portico-live-bad-${run}`,
      }),
    ).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it('lists recent events', async () => {
    const page = await sut.listEvents({ createdGte: Math.floor(Date.now() / 1000) - 3600, limit: 5 });
    expect(Array.isArray(page.events)).toBe(true);
  });
});
