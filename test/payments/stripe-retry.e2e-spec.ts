import request from 'supertest';
import { TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { stripeTestEnv } from '../support/stripe/stripe-fixtures';

/** Needs the resilience explorer (main after the resilience branch): `@Resilient('stripe')` retries retryable errors. */
describe('Creating an intent while Stripe fails transiently', () => {
  const stripe = new StripeContractServer();
  let t: TestApp;

  beforeAll(async () => {
    await stripe.start();
    t = await startTestApp({ env: stripeTestEnv(stripe, { RESILIENCE_STRIPE_TIMEOUT_MS: '2000' }) });
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });

  it('503 twice then success: the client gets one intent; Stripe saw one idempotency key on all three attempts and created one intent', async () => {
    stripe.failNext(2, { status: 503, pathPrefix: '/v1/payment_intents' });
    const res = await request(t.url)
      .post('/payments/intents')
      .set('Authorization', `Bearer ${TEST_KEY}`)
      .send({ amount: 4200, currency: 'eur' });
    expect(res.status).toBe(201);
    const attempts = stripe.received('POST', '/v1/payment_intents');
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(new Set(attempts.map((a) => a.idempotencyKey))).toEqual(new Set([`portico-pi-create-${res.body.id}`]));
    expect([...stripe.intents.values()].filter((i) => i.metadata.portico_payment_id === res.body.id)).toHaveLength(1);
  });

  it('503 with Stripe-Should-Retry: false is not retried', async () => {
    stripe.reset();
    stripe.failNext(1, { status: 503, shouldRetry: false, pathPrefix: '/v1/payment_intents' });
    const res = await request(t.url)
      .post('/payments/intents')
      .set('Authorization', `Bearer ${TEST_KEY}`)
      .send({ amount: 4300, currency: 'eur' });
    expect(res.status).toBe(502);
    expect(stripe.received('POST', '/v1/payment_intents')).toHaveLength(1);
  });

  it('a declined card is not retried', async () => {
    stripe.reset();
    stripe.failNext(1, {
      status: 402,
      error: { type: 'card_error', code: 'card_declined', message: 'declined' },
      pathPrefix: '/v1/payment_intents',
    });
    const res = await request(t.url)
      .post('/payments/intents')
      .set('Authorization', `Bearer ${TEST_KEY}`)
      .send({ amount: 4400, currency: 'eur' });
    expect(res.status).toBe(402);
    expect(stripe.received('POST', '/v1/payment_intents')).toHaveLength(1);
  });
});
