import request from 'supertest';
import { TEST_ADMIN_KEY, TEST_API_KEYS, TEST_KEY, apiKeyEntry } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { stripeTestEnv } from '../support/stripe/stripe-fixtures';

const PROBLEM = /application\/problem\+json/;
const OTHER_KEY = 'pk_test_other_key_0123456789';

describe('Payments API (intents, refunds) against a Stripe contract server', () => {
  const stripe = new StripeContractServer();
  let t: TestApp;
  const auth = (key = TEST_KEY): Record<string, string> => ({ Authorization: `Bearer ${key}` });
  const create = (body: object, headers: Record<string, string> = {}) =>
    request(t.url)
      .post('/payments/intents')
      .set({ ...auth(), ...headers })
      .send(body);

  beforeAll(async () => {
    await stripe.start();
    t = await startTestApp({
      env: stripeTestEnv(stripe, { API_KEYS: `${TEST_API_KEYS},${apiKeyEntry('other', OTHER_KEY)}` }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });
  beforeEach(() => stripe.reset());

  it('reports Stripe up (test mode) in readiness', async () => {
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.providers.stripe).toEqual({ status: 'up', mode: 'test', webhookSecrets: 1, circuit: 'closed' });
  });

  it('describes the payment, webhook and admin routes in the OpenAPI document', async () => {
    const doc = await request(t.url).get('/docs-json').expect(200);
    for (const path of [
      '/payments/intents',
      '/payments',
      '/payments/{id}',
      '/payments/{id}/capture',
      '/payments/{id}/cancel',
      '/payments/{id}/refunds',
      '/webhooks/stripe',
      '/admin/webhooks/stripe/events',
      '/admin/webhooks/stripe/events/{id}/replay',
    ]) {
      expect(doc.body.paths[path]).toBeDefined();
    }
    expect(Object.keys(doc.body.paths['/payments/intents'].post.responses)).toEqual(
      expect.arrayContaining(['201', '400', '402', '409', '503']),
    );
  });

  it('creates an intent: 201 with client secret, a generated Idempotency-Key echoed, one Stripe call with a stable key', async () => {
    const res = await create({
      amount: 1999,
      currency: 'eur',
      description: 'Order A-1',
      metadata: { orderId: 'A-1' },
      customerEmail: 'ada@example.com',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      clientSecret: expect.stringMatching(/^pi_\w+_secret_/),
      status: 'requires_payment_method',
      amount: 1999,
      currency: 'eur',
    });
    expect(res.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    const calls = stripe.received('POST', '/v1/payment_intents');
    expect(calls).toHaveLength(1);
    expect(calls[0].idempotencyKey).toBe(`portico-pi-create-${res.body.id}`);
    expect(calls[0].params).toMatchObject({
      amount: '1999',
      currency: 'eur',
      description: 'Order A-1',
      receipt_email: 'ada@example.com',
      metadata: { orderId: 'A-1', portico_payment_id: res.body.id },
    });
  });

  it('replays the same Idempotency-Key and body without calling Stripe again', async () => {
    const body = { amount: 500, currency: 'usd' };
    const first = await create(body, { 'Idempotency-Key': 'order-42' }).expect(201);
    const again = await create({ currency: 'usd', amount: 500 }, { 'Idempotency-Key': 'order-42' }).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotency-key']).toBe('order-42');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(stripe.received('POST', '/v1/payment_intents')).toHaveLength(1);
  });

  it('refuses the same Idempotency-Key with a different body (409 problem)', async () => {
    await create({ amount: 700, currency: 'usd' }, { 'Idempotency-Key': 'order-43' }).expect(201);
    const res = await create({ amount: 701, currency: 'usd' }, { 'Idempotency-Key': 'order-43' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.type).toMatch(/idempotency-key-reused$/);
    expect(stripe.received('POST', '/v1/payment_intents')).toHaveLength(1);
  });

  it('keeps idempotency keys per caller: another key holder reusing the key gets their own intent', async () => {
    const mine = await create({ amount: 800, currency: 'usd' }, { 'Idempotency-Key': 'shared-key' }).expect(201);
    const theirs = await request(t.url)
      .post('/payments/intents')
      .set({ ...auth(OTHER_KEY), 'Idempotency-Key': 'shared-key' })
      .send({ amount: 800, currency: 'usd' })
      .expect(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('refuses an Idempotency-Key over 255 characters', async () => {
    const res = await create({ amount: 100, currency: 'usd' }, { 'Idempotency-Key': 'k'.repeat(256) });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.stringMatching(/255/) }]);
  });

  it('validates the body and lists every bad field', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const res = await create({ amount: 0, currency: 'EUR', metadata, captureMethod: 'later', extra: 1 });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(['amount', 'captureMethod', 'currency', 'extra', 'metadata']);
    const tooBig = await create({ amount: 100_000_000, currency: 'xyz', metadata: { ['x'.repeat(41)]: 'v' } });
    expect((tooBig.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
      'amount',
      'currency',
      'metadata',
    ]);
    const longValue = await create({ amount: 1, currency: 'usd', metadata: { note: 'v'.repeat(501) } });
    expect(longValue.body.errors[0].message).toMatch(/500/);
    expect(stripe.received('POST', '/v1/payment_intents')).toHaveLength(0);
  });

  it('reads own payments with history; another owner’s id is 404; admins see all', async () => {
    const created = await create({ amount: 1200, currency: 'gbp' }).expect(201);
    const mine = await request(t.url).get(`/payments/${created.body.id}`).set(auth()).expect(200);
    expect(mine.body).toMatchObject({
      id: created.body.id,
      status: 'requires_payment_method',
      amount: 1200,
      currency: 'gbp',
      amountRefunded: 0,
      refunds: [],
    });
    expect(mine.body.history).toEqual([expect.objectContaining({ status: 'requires_payment_method', source: 'api' })]);
    expect(mine.body.metadata).toEqual({});
    const other = await request(t.url).get(`/payments/${created.body.id}`).set(auth(OTHER_KEY));
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(PROBLEM);
    await request(t.url).get(`/payments/${created.body.id}`).set(auth(TEST_ADMIN_KEY)).expect(200);
    await request(t.url).get('/payments/00000000-0000-7000-8000-000000000000').set(auth()).expect(404);
  });

  it('lists own payments newest first with a cursor and a status filter: every payment exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push(
        (
          await request(t.url)
            .post('/payments/intents')
            .set(auth(OTHER_KEY))
            .send({ amount: 100 + i, currency: 'usd' })
            .expect(201)
        ).body.id,
      );
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page = await request(t.url)
        .get(`/payments?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`)
        .set(auth(OTHER_KEY))
        .expect(200);
      pages.push(page.body.items.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor !== null);
    // Earlier tests left payments of this key too: paging must give exactly what one large page gives.
    const oneLargePage = await request(t.url).get('/payments?limit=100').set(auth(OTHER_KEY)).expect(200);
    expect(oneLargePage.body.nextCursor).toBeNull();
    expect(pages.flat()).toEqual(oneLargePage.body.items.map((p: { id: string }) => p.id));
    expect(new Set(pages.flat()).size).toBe(pages.flat().length);
    expect(pages.flat().slice(0, 5)).toEqual([...ids].reverse());
    expect(pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);
    const mineOnly = await request(t.url).get('/payments?limit=100').set(auth()).expect(200);
    expect(mineOnly.body.items.map((p: { id: string }) => p.id)).not.toEqual(expect.arrayContaining([ids[0]]));
    const filtered = await request(t.url).get('/payments?status=succeeded').set(auth(OTHER_KEY)).expect(200);
    expect(filtered.body.items).toEqual([]);
    await request(t.url).get('/payments?limit=0').set(auth()).expect(400);
    await request(t.url).get('/payments?limit=101').set(auth()).expect(400);
  });

  it('refuses a tampered, outdated or foreign cursor with 400 invalid-cursor', async () => {
    await create({ amount: 100, currency: 'usd' }).expect(201);
    await create({ amount: 101, currency: 'usd' }).expect(201);
    const first = await request(t.url).get('/payments?limit=1').set(auth()).expect(200);
    const body = JSON.parse(Buffer.from(first.body.nextCursor as string, 'base64url').toString('utf8'));
    const refusals: Array<[string, RegExp]> = [
      [Buffer.from(JSON.stringify({ ...body, k: 'x' })).toString('base64url'), /not a cursor this API returned/],
      [first.body.items[0].id as string, /not a cursor this API returned/], // a cursor of the old format
      [Buffer.from(JSON.stringify({ ...body, l: 'emails' })).toString('base64url'), /another list/],
    ];
    for (const [cursor, detail] of refusals) {
      const res = await request(t.url).get(`/payments?cursor=${cursor}`).set(auth()).expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({
        type: expect.stringMatching(/invalid-cursor$/),
        detail: expect.stringMatching(detail),
      });
    }
  });

  it('captures a manual payment, then refuses to cancel it', async () => {
    const created = await create({ amount: 3000, currency: 'eur', captureMethod: 'manual' }).expect(201);
    const stripeId = stripe.received('POST', '/v1/payment_intents')[0];
    expect(stripeId.params.capture_method).toBe('manual');
    const intentId = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === created.body.id)
      ?.id as string;
    stripe.setIntentStatus(intentId, 'requires_capture');
    const captured = await request(t.url).post(`/payments/${created.body.id}/capture`).set(auth()).expect(200);
    expect(captured.body).toMatchObject({ status: 'succeeded', amountReceived: 3000 });
    expect(stripe.received('POST', `/v1/payment_intents/${intentId}/capture`)[0].idempotencyKey).toBe(
      `portico-pi-capture-${created.body.id}`,
    );
    const cancel = await request(t.url).post(`/payments/${created.body.id}/cancel`).set(auth());
    expect(cancel.status).toBe(409);
    expect(cancel.body.detail).toMatch(/already succeeded/);
  });

  it('cancels a payment; capturing it is then refused', async () => {
    const created = await create({ amount: 900, currency: 'eur' }).expect(201);
    const canceled = await request(t.url).post(`/payments/${created.body.id}/cancel`).set(auth()).expect(200);
    expect(canceled.body.status).toBe('canceled');
    expect(canceled.body.history.map((h: { status: string }) => h.status)).toEqual([
      'requires_payment_method',
      'canceled',
    ]);
    await request(t.url).post(`/payments/${created.body.id}/capture`).set(auth()).expect(409);
  });

  it('maps Stripe refusing a capture in the wrong state to 422 with Stripe’s code', async () => {
    const created = await create({ amount: 900, currency: 'eur' }).expect(201);
    const res = await request(t.url).post(`/payments/${created.body.id}/capture`).set(auth());
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'payment_intent_unexpected_state', provider: 'stripe' });
  });

  it('refunds partially, then the rest; refuses beyond what was captured', async () => {
    const created = await create({ amount: 5000, currency: 'usd', captureMethod: 'manual' }).expect(201);
    const intentId = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === created.body.id)
      ?.id as string;
    await request(t.url).post(`/payments/${created.body.id}/refunds`).set(auth()).send({ amount: 100 }).expect(409);
    stripe.setIntentStatus(intentId, 'requires_capture');
    await request(t.url).post(`/payments/${created.body.id}/capture`).set(auth()).expect(200);
    const part = await request(t.url)
      .post(`/payments/${created.body.id}/refunds`)
      .set(auth())
      .send({ amount: 1500, reason: 'requested_by_customer' })
      .expect(201);
    expect(part.body).toMatchObject({
      amount: 1500,
      currency: 'usd',
      status: 'succeeded',
      reason: 'requested_by_customer',
    });
    const over = await request(t.url).post(`/payments/${created.body.id}/refunds`).set(auth()).send({ amount: 3501 });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ refundable: 3500, captured: 5000 });
    const rest = await request(t.url).post(`/payments/${created.body.id}/refunds`).set(auth()).send({}).expect(201);
    expect(rest.body.amount).toBe(3500);
    const after = await request(t.url).get(`/payments/${created.body.id}`).set(auth()).expect(200);
    expect(after.body.amountRefunded).toBe(5000);
    expect(after.body.refunds).toHaveLength(2);
    const calls = stripe.received('POST', '/v1/refunds');
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(2);
    await request(t.url).post(`/payments/${created.body.id}/refunds`).set(auth()).send({}).expect(422);
  });
});
