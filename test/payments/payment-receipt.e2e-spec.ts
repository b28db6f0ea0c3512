import request from 'supertest';
import { DataSource } from 'typeorm';
import { TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { deliver, intentEvent, stripeTestEnv } from '../support/stripe/stripe-fixtures';
import { waitFor } from '../support/stripe/wait';

/** Payments and email talk only through `payment.succeeded`: a succeeded webhook queues one receipt. */
describe('payment.succeeded → receipt email (across modules)', () => {
  const stripe = new StripeContractServer();
  let t: TestApp;

  beforeAll(async () => {
    await stripe.start();
    t = await startTestApp({ env: stripeTestEnv(stripe, { EMAIL_RECEIPTS_TEMPLATE_ID: `d-${'a'.repeat(32)}` }) });
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });

  it('queues exactly one receipt to the customer, even when Stripe redelivers', async () => {
    const created = await request(t.url)
      .post('/payments/intents')
      .set('Authorization', `Bearer ${TEST_KEY}`)
      .send({ amount: 1250, currency: 'eur', customerEmail: 'ada@example.com' })
      .expect(201);
    const intent = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === created.body.id);
    const event = intentEvent(
      'payment_intent.succeeded',
      { id: intent?.id ?? '', amount: 1250 },
      Math.floor(Date.now() / 1000) + 1,
    );
    await deliver(t.url, JSON.stringify(event));
    await deliver(t.url, JSON.stringify(event));
    const ds = t.app.get(DataSource);
    const receipts = async (): Promise<Array<{ owner_id: string }>> =>
      ds.query(`SELECT owner_id FROM emails WHERE idempotency_key = 'receipt:${created.body.id}'`);
    await waitFor(async () => (await receipts()).length > 0, 15_000, 'the receipt to be queued');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await receipts()).toEqual([{ owner_id: expect.stringMatching(/^key:/) }]);
  });

  it('queues one receipt for an intent first seen in its succeeded event, to the intent’s receipt address', async () => {
    const event = intentEvent(
      'payment_intent.succeeded',
      { id: 'pi_made_in_dashboard', amount: 3100, receiptEmail: 'walk-in@example.com' },
      Math.floor(Date.now() / 1000),
    );
    await deliver(t.url, JSON.stringify(event));
    await deliver(t.url, JSON.stringify(event));
    const ds = t.app.get(DataSource);
    const receipts = async (): Promise<Array<{ to_addresses: string }>> =>
      ds.query(
        `SELECT e.to_addresses FROM emails e JOIN payments p ON e.idempotency_key = 'receipt:' || p.id ` +
          `WHERE p.stripe_id = 'pi_made_in_dashboard'`,
      );
    await waitFor(async () => (await receipts()).length > 0, 15_000, 'the receipt to be queued');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const queued = await receipts();
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0].to_addresses)).toEqual(['walk-in@example.com']);
  });

  it('records no receipt reaction for a payment that names no customer address', async () => {
    const created = await request(t.url)
      .post('/payments/intents')
      .set('Authorization', `Bearer ${TEST_KEY}`)
      .send({ amount: 990, currency: 'eur' })
      .expect(201);
    const intent = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === created.body.id);
    await deliver(
      t.url,
      JSON.stringify(
        intentEvent(
          'payment_intent.succeeded',
          { id: intent?.id ?? '', amount: 990 },
          Math.floor(Date.now() / 1000) + 1,
        ),
      ),
    );
    const ds = t.app.get(DataSource);
    const status = async (): Promise<string | undefined> =>
      (await ds.query<Array<{ status: string }>>(`SELECT status FROM payments WHERE id = '${created.body.id}'`))[0]
        ?.status;
    await waitFor(async () => (await status()) === 'succeeded', 15_000, 'the payment to succeed');
    // The status and its reactions commit together, so none is coming later.
    expect(await ds.query(`SELECT id FROM durable_events WHERE dedupe_key LIKE '${created.body.id}:%'`)).toEqual([]);
    expect(await ds.query(`SELECT id FROM emails WHERE idempotency_key = 'receipt:${created.body.id}'`)).toEqual([]);
  });
});
