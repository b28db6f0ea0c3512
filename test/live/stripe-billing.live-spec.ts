import Stripe from 'stripe';
import { StripeBillingGateway } from '../../src/integrations/billing/stripe/stripe-billing.adapter';
import { StripePaymentGateway } from '../../src/integrations/payments/stripe/stripe-payments.adapter';
import { stripeClientOptions } from '../../src/integrations/payments/stripe/stripe-client.provider';

/**
 * Billing adapters against Stripe's real test mode: `STRIPE_TEST_SECRET_KEY=sk_test_… npm run test:live`.
 * Creates a customer, a test price, a subscription-mode Checkout Session and a portal session.
 */
const key = process.env.STRIPE_TEST_SECRET_KEY;
if (!key) process.stdout.write('stripe-billing.live-spec: STRIPE_TEST_SECRET_KEY is not set; skipping\n');
const describeLive = key ? describe : describe.skip;

describeLive('StripeBillingGateway against Stripe test mode', () => {
  const config = {
    configured: true,
    missing: undefined,
    secretKey: key,
    webhookSecrets: [],
    apiBase: undefined,
    webhookToleranceSeconds: 300,
    catchUpIntervalMinutes: 0,
    eventLeaseMs: 30_000,
    eventBacklogLimit: 500,
    livemode: false,
  };
  const run = Date.now().toString(36);
  let stripe: Stripe;
  let payments: StripePaymentGateway;
  let sut: StripeBillingGateway;
  beforeAll(() => {
    stripe = new Stripe(key ?? '', stripeClientOptions(config, 20_000));
    payments = new StripePaymentGateway(stripe);
    sut = new StripeBillingGateway(stripe);
  });

  it('creates one customer per key, a Checkout Session for it, and a portal session', async () => {
    const customerKey = `portico-live-customer-${run}`;
    const customer = await payments.createCustomer({ ownerId: `key:live-${run}`, idempotencyKey: customerKey });
    expect(
      (await payments.createCustomer({ ownerId: `key:live-${run}`, idempotencyKey: customerKey })).providerId,
    ).toBe(customer.providerId);
    const price = await stripe.prices.create({
      currency: 'eur',
      unit_amount: 900,
      recurring: { interval: 'month' },
      product_data: { name: `Portico live test ${run}` },
    });
    const session = await sut.createCheckoutSession({
      customer: customer.providerId,
      mode: 'subscription',
      items: [{ price: price.id, quantity: 1 }],
      successUrl: 'https://example.com/done?session={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://example.com/cancel',
      trialDays: 7,
      reference: `live-${run}`,
      idempotencyKey: `portico-live-cs-${run}`,
    });
    expect(session).toMatchObject({ status: 'open', customer: customer.providerId });
    expect(session.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);

    // The portal needs a configuration; a fresh test account may have none yet.
    const configurations = await stripe.billingPortal.configurations.list({ limit: 1 });
    if (configurations.data.length === 0)
      await stripe.billingPortal.configurations.create({ features: { invoice_history: { enabled: true } } });
    const portal = await sut.createPortalSession({
      customer: customer.providerId,
      returnUrl: 'https://example.com/account',
    });
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
  });
});
