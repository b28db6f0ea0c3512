import request from 'supertest';
import { DataSource } from 'typeorm';
import { type TestApp, startTestApp } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import {
  ROTATED_SECRET,
  WEBHOOK_SECRET,
  deliver,
  intentEvent,
  signedHeaders,
  stripeEvent,
  stripeTestEnv,
} from '../support/stripe/stripe-fixtures';

const PROBLEM = /application\/problem\+json/;

describe('Stripe webhook inbox: verification and storage', () => {
  const stripe = new StripeContractServer();
  let t: TestApp;
  const storedCount = async (eventId?: string): Promise<number> => {
    const rows: Array<{ n: string | number }> = await t.app
      .get(DataSource)
      .query(
        eventId === undefined
          ? 'SELECT COUNT(*) AS n FROM stripe_events'
          : `SELECT COUNT(*) AS n FROM stripe_events WHERE event_id = '${eventId}'`,
      );
    return Number(rows[0].n);
  };
  const post = (payload: string, headers: Record<string, string>) =>
    request(t.url).post('/webhooks/stripe').set(headers).send(payload);

  beforeAll(async () => {
    await stripe.start();
    t = await startTestApp({
      env: stripeTestEnv(stripe, {
        STRIPE_WEBHOOK_SECRET: `${WEBHOOK_SECRET},${ROTATED_SECRET}`,
        STRIPE_WEBHOOK_TOLERANCE_SECONDS: '300',
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });

  it('stores a correctly signed event and answers 200 without an API key', async () => {
    const event = intentEvent('payment_intent.processing', { id: 'pi_store_1' }, Math.floor(Date.now() / 1000));
    const res = await deliver(t.url, JSON.stringify(event));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, duplicate: false });
    expect(await storedCount(event.id)).toBe(1);
  });

  it('accepts the second (rotated) secret; an event no handler wants is stored already done', async () => {
    const event = stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }, Math.floor(Date.now() / 1000));
    const res = await deliver(t.url, JSON.stringify(event), { secret: ROTATED_SECRET });
    expect(res.status).toBe(200);
    const rows: Array<{ status: string; attempts: number }> = await t.app
      .get(DataSource)
      .query(`SELECT status, attempts FROM stripe_events WHERE event_id = '${event.id}'`);
    expect(rows).toEqual([{ status: 'done', attempts: 0 }]);
  });

  it('answers a duplicate delivery 200 and stores it once', async () => {
    const payload = JSON.stringify(
      stripeEvent('invoice.paid', { id: 'in_1', object: 'invoice' }, Math.floor(Date.now() / 1000)),
    );
    expect((await deliver(t.url, payload)).status).toBe(200);
    const again = await deliver(t.url, payload);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(await storedCount(JSON.parse(payload).id)).toBe(1);
  });

  describe('refuses with 400 problem+json and stores nothing', () => {
    let before: number;
    beforeEach(async () => {
      before = await storedCount();
    });
    afterEach(async () => {
      expect(await storedCount()).toBe(before);
    });

    const event = (): string =>
      JSON.stringify(intentEvent('payment_intent.succeeded', { id: 'pi_refused' }, Math.floor(Date.now() / 1000)));

    it('a wrong secret', async () => {
      const payload = event();
      const res = await post(payload, signedHeaders(payload, { secret: 'whsec_not_ours_at_all' }));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.type).toMatch(/webhook-signature-invalid$/);
      expect(JSON.stringify(res.body)).not.toContain('whsec_');
    });

    it('a tampered body', async () => {
      const payload = event();
      const headers = signedHeaders(payload);
      const res = await post(payload.replace('"amount":1000', '"amount":1'), headers);
      expect(res.status).toBe(400);
      expect(res.body.type).toMatch(/webhook-signature-invalid$/);
    });

    it('a stale timestamp (older than the tolerance)', async () => {
      const payload = event();
      const res = await post(payload, signedHeaders(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 }));
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/older than the tolerance/);
    });

    it('a timestamp in the future beyond the tolerance', async () => {
      const payload = event();
      const res = await post(payload, signedHeaders(payload, { timestamp: Math.floor(Date.now() / 1000) + 600 }));
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/future/);
    });

    it('a missing Stripe-Signature header', async () => {
      const res = await post(event(), { 'Content-Type': 'application/json' });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/Stripe-Signature header is missing/);
    });

    it('a garbled Stripe-Signature header', async () => {
      const res = await post(event(), { 'Content-Type': 'application/json', 'Stripe-Signature': 'garbage' });
      expect(res.status).toBe(400);
    });

    it('a body that is not JSON (signed or not)', async () => {
      const payload = 'not json at all';
      const signed = await post(payload, signedHeaders(payload));
      expect(signed.status).toBe(400);
      expect(signed.headers['content-type']).toMatch(PROBLEM);
      const asText = await post(payload, { ...signedHeaders(payload), 'Content-Type': 'text/plain' });
      expect(asText.status).toBe(400);
    });

    it('signed JSON that is not an event', async () => {
      const payload = JSON.stringify({ hello: 'world' });
      const res = await post(payload, signedHeaders(payload));
      expect(res.status).toBe(400);
      expect(res.body.type).toMatch(/webhook-malformed$/);
    });

    it('a live-mode event while the key is a test key', async () => {
      const payload = JSON.stringify(
        stripeEvent(
          'payment_intent.succeeded',
          { id: 'pi_live', object: 'payment_intent' },
          Math.floor(Date.now() / 1000),
          { livemode: true },
        ),
      );
      const res = await post(payload, signedHeaders(payload));
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/live mode/);
    });
  });
});
