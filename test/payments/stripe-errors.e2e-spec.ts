import request from 'supertest';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { stripeTestEnv } from '../support/stripe/stripe-fixtures';

const PROBLEM = /application\/problem\+json/;

describe('Stripe errors seen by API callers', () => {
  const stripe = new StripeContractServer();
  let t: TestApp;
  const create = () =>
    request(t.url)
      .post('/payments/intents')
      .set('Authorization', `Bearer ${TEST_KEY}`)
      .send({ amount: 1000, currency: 'usd' });

  beforeAll(async () => {
    await stripe.start();
    // Quick retries, and no breaker: this suite provokes many failures in a row on purpose.
    t = await startTestApp({
      env: stripeTestEnv(stripe, {
        RESILIENCE_STRIPE_TIMEOUT_MS: '300',
        RESILIENCE_STRIPE_BACKOFF_BASE_MS: '10',
        RESILIENCE_STRIPE_BACKOFF_CAP_MS: '50',
        RESILIENCE_STRIPE_BREAKER_CONSECUTIVE: '0',
        RESILIENCE_STRIPE_BREAKER_RATIO: '0',
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });
  beforeEach(() => stripe.reset());

  it('a declined card → 402 problem with Stripe’s code and decline_code', async () => {
    stripe.failNext(1, {
      status: 402,
      error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      },
    });
    const res = await create();
    expect(res.status).toBe(402);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      title: 'Payment declined',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      provider: 'stripe',
    });
  });

  it('an invalid parameter → 400 problem naming Stripe’s param', async () => {
    stripe.failNext(1, {
      status: 400,
      error: {
        type: 'invalid_request_error',
        code: 'parameter_invalid_integer',
        param: 'amount',
        message: 'Invalid integer',
      },
    });
    const res = await create();
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ param: 'amount', code: 'parameter_invalid_integer' });
  });

  it('Stripe refusing our key → 502 (our misconfiguration), nothing about the key leaks', async () => {
    stripe.failNext(1, {
      status: 401,
      error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' },
    });
    const res = await create();
    expect(res.status).toBe(502);
    expect(res.body.title).toBe('Provider configuration error');
    expect(JSON.stringify(res.body)).not.toContain('sk_test');
  });

  it('429 is retried (honouring Retry-After); still 429 after the last attempt → 429 problem with Retry-After', async () => {
    stripe.failNext(3, { status: 429, retryAfterSeconds: 1 });
    const res = await create();
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(stripe.received('POST', '/v1/payment_intents').map((r) => r.status)).toEqual([429, 429, 429]);
  });

  it('429 with Stripe-Should-Retry: false is not retried', async () => {
    stripe.failNext(1, { status: 429, shouldRetry: false });
    expect((await create()).status).toBe(429);
    expect(stripe.received('POST', '/v1/payment_intents')).toHaveLength(1);
  });

  it('503 with Stripe-Should-Retry: false → 502, not presented as retryable', async () => {
    stripe.failNext(1, { status: 503, shouldRetry: false });
    const res = await create();
    expect(res.status).toBe(502);
    expect(res.body.type).toMatch(/provider-failed$/);
  });

  it('500 and 409 (lock timeout) are retried; failing on every attempt → 503 provider unavailable', async () => {
    stripe.failNext(3, { status: 500 });
    expect((await create()).status).toBe(503);
    stripe.failNext(3, { status: 409, error: { type: 'api_error', code: 'lock_timeout', message: 'Lock timeout' } });
    expect((await create()).status).toBe(503);
    const attempts = stripe.received('POST', '/v1/payment_intents');
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 500, 409, 409, 409]);
    // Each logical create kept one outbound key across its attempts.
    expect(new Set(attempts.slice(0, 3).map((r) => r.idempotencyKey)).size).toBe(1);
    expect(new Set(attempts.slice(3).map((r) => r.idempotencyKey)).size).toBe(1);
  });

  it('a slow Stripe → 504 after RESILIENCE_STRIPE_TIMEOUT_MS on each attempt; nothing was created', async () => {
    const intentsBefore = stripe.intents.size;
    stripe.delayMs = 1_000;
    const res = await create();
    expect(res.status).toBe(504);
    expect(res.body.type).toMatch(/provider-timeout$/);
    stripe.delayMs = 0;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // let the abandoned requests reach the server
    expect(stripe.intents.size).toBe(intentsBefore);
  });

  it('after a failed request, the client repeating its Idempotency-Key reuses the same outbound key and creates one intent', async () => {
    stripe.failNext(3, { status: 500 });
    const first = await create().set('Idempotency-Key', 'retry-me');
    expect(first.status).toBe(503);
    const second = await create().set('Idempotency-Key', 'retry-me').expect(201);
    const calls = stripe.received('POST', '/v1/payment_intents');
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(1);
    expect(calls[1].idempotencyKey).toBe(`portico-pi-create-${second.body.id}`);
    expect([...stripe.intents.values()].filter((i) => i.metadata.portico_payment_id === second.body.id)).toHaveLength(
      1,
    );
  });
});

describe('Payments without Stripe configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS: TEST_API_KEYS } });
  });
  afterAll(async () => t?.close());

  it('answers 503 naming the variables to set, and reports not_configured', async () => {
    const res = await request(t.url)
      .post('/payments/intents')
      .set('Authorization', `Bearer ${TEST_KEY}`)
      .send({ amount: 1000, currency: 'usd' });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.detail).toMatch(/STRIPE_SECRET_KEY.*STRIPE_WEBHOOK_SECRET/);
    const hook = await request(t.url)
      .post('/webhooks/stripe')
      .set('Stripe-Signature', 't=1,v1=00')
      .set('Content-Type', 'application/json')
      .send('{}');
    expect(hook.status).toBe(503);
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.providers.stripe).toEqual({ status: 'not_configured' });
  });
});
