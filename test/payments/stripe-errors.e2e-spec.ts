import request from 'supertest';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { stripeTestEnv } from '../support/stripe/stripe-fixtures';

const PROBLEM = /application\/problem\+json/;

describe('Stripe errors seen by API callers', () => {
  const stripe = new StripeContractServer();
  let t: TestApp;
  const create = () => request(t.url).post('/payments/intents').set('Authorization', `Bearer ${TEST_KEY}`).send({ amount: 1000, currency: 'usd' });

  beforeAll(async () => {
    await stripe.start();
    t = await startTestApp({ env: stripeTestEnv(stripe, { STRIPE_TIMEOUT_MS: '300' }) });
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });
  beforeEach(() => stripe.reset());

  it('a declined card → 402 problem with Stripe’s code and decline_code', async () => {
    stripe.failNext(1, { status: 402, error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } });
    const res = await create();
    expect(res.status).toBe(402);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ title: 'Payment declined', code: 'card_declined', decline_code: 'insufficient_funds', provider: 'stripe' });
  });

  it('an invalid parameter → 400 problem naming Stripe’s param', async () => {
    stripe.failNext(1, { status: 400, error: { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer' } });
    const res = await create();
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ param: 'amount', code: 'parameter_invalid_integer' });
  });

  it('Stripe refusing our key → 502 (our misconfiguration), nothing about the key leaks', async () => {
    stripe.failNext(1, { status: 401, error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' } });
    const res = await create();
    expect(res.status).toBe(502);
    expect(res.body.title).toBe('Provider configuration error');
    expect(JSON.stringify(res.body)).not.toContain('sk_test');
  });

  it('429 without Stripe-Should-Retry → 429 problem (rate limited)', async () => {
    stripe.failNext(1, { status: 429, retryAfterSeconds: 2 });
    const res = await create();
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('2');
  });

  it('503 with Stripe-Should-Retry: false → 502, not presented as retryable', async () => {
    stripe.failNext(1, { status: 503, shouldRetry: false });
    const res = await create();
    expect(res.status).toBe(502);
    expect(res.body.type).toMatch(/provider-failed$/);
  });

  it('500 (and 409 lock timeout) → 503 provider unavailable', async () => {
    stripe.failNext(1, { status: 500 });
    expect((await create()).status).toBe(503);
    stripe.failNext(1, { status: 409, error: { type: 'api_error', code: 'lock_timeout', message: 'Lock timeout' } });
    expect((await create()).status).toBe(503);
  });

  it('a slow Stripe → 504 after STRIPE_TIMEOUT_MS', async () => {
    stripe.delayMs = 1_000;
    const started = Date.now();
    const res = await create();
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('after a failure, the same Idempotency-Key retries with the same outbound key and creates one intent', async () => {
    stripe.failNext(1, { status: 500 });
    const first = await create().set('Idempotency-Key', 'retry-me');
    expect(first.status).toBe(503);
    const second = await create().set('Idempotency-Key', 'retry-me').expect(201);
    const calls = stripe.received('POST', '/v1/payment_intents');
    expect(calls).toHaveLength(2);
    expect(calls[0].idempotencyKey).toBe(calls[1].idempotencyKey);
    expect(calls[1].idempotencyKey).toBe(`portico-pi-create-${second.body.id}`);
    expect([...stripe.intents.values()].filter((i) => i.metadata.portico_payment_id === second.body.id)).toHaveLength(1);
  });
});

describe('Payments without Stripe configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS: TEST_API_KEYS } });
  });
  afterAll(async () => t?.close());

  it('answers 503 naming the variables to set, and reports not_configured', async () => {
    const res = await request(t.url).post('/payments/intents').set('Authorization', `Bearer ${TEST_KEY}`).send({ amount: 1000, currency: 'usd' });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.detail).toMatch(/STRIPE_SECRET_KEY.*STRIPE_WEBHOOK_SECRET/);
    const hook = await request(t.url).post('/webhooks/stripe').set('Stripe-Signature', 't=1,v1=00').set('Content-Type', 'application/json').send('{}');
    expect(hook.status).toBe(503);
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.providers.stripe).toEqual({ status: 'not_configured' });
  });
});
