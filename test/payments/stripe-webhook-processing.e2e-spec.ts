import request from 'supertest';
import { DataSource } from 'typeorm';
import { TEST_ADMIN_KEY, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import StripeRecordingFixtureModule, { StripeRecorder } from '../support/fixtures/stripe-recording.fixture';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import {
  chargeRefundedEvent,
  deliver,
  intentEvent,
  stripeEvent,
  stripeTestEnv,
} from '../support/stripe/stripe-fixtures';
import { waitFor, waitForInboxIdle } from '../support/stripe/wait';

describe('Stripe webhook processing: handlers, payment state, domain events, admin', () => {
  const stripe = new StripeContractServer();
  let t: TestApp;
  let recorder: StripeRecorder;
  const now = (): number => Math.floor(Date.now() / 1000);
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const user = { Authorization: `Bearer ${TEST_KEY}` };

  /** Creates a payment through our API and returns our id and Stripe's. */
  async function createPayment(amount = 2000): Promise<{ id: string; intentId: string }> {
    const res = await request(t.url)
      .post('/payments/intents')
      .set(user)
      .send({ amount, currency: 'eur', customerEmail: 'ada@example.com', description: 'Order 7' })
      .expect(201);
    const intent = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === res.body.id);
    if (!intent) throw new Error('intent not created at the contract server');
    return { id: res.body.id, intentId: intent.id };
  }

  async function send(event: Record<string, unknown>): Promise<void> {
    const res = await deliver(t.url, JSON.stringify(event));
    expect(res.status).toBe(200);
  }

  const payment = async (id: string) => (await request(t.url).get(`/payments/${id}`).set(user).expect(200)).body;

  beforeAll(async () => {
    await stripe.start();
    t = await startTestApp({ env: stripeTestEnv(stripe), extraModules: [StripeRecordingFixtureModule] });
    recorder = t.app.get(StripeRecorder);
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });

  it('payment_intent.succeeded moves our payment to succeeded, records history and emits payment.succeeded once', async () => {
    const { id, intentId } = await createPayment(2500);
    const event = intentEvent(
      'payment_intent.succeeded',
      { id: intentId, amount: 2500, metadata: { portico_payment_id: id } },
      now() + 1,
    );
    await send(event);
    await send(event); // Stripe redelivers
    await waitForInboxIdle(t);
    const body = await payment(id);
    expect(body).toMatchObject({ status: 'succeeded', amountReceived: 2500 });
    expect(body.history.map((h: { status: string; source: string }) => [h.status, h.source])).toEqual([
      ['requires_payment_method', 'api'],
      ['succeeded', 'webhook'],
    ]);
    expect(body.history[1].eventId).toBe(event.id);
    expect(body.history[1].occurredAt).toBe(new Date(event.created * 1000).toISOString());
    expect(recorder.handled.get(event.id)).toBe(1);
    expect(recorder.domain.filter((d) => d.name === 'payment.succeeded' && d.payload.paymentId === id)).toHaveLength(1);
    expect(recorder.domain.find((d) => d.payload.paymentId === id)?.payload).toMatchObject({
      ownerId: expect.stringMatching(/^key:/),
      amount: 2500,
      currency: 'eur',
      customerEmail: 'ada@example.com',
      description: 'Order 7',
    });
  });

  it('out of order: succeeded arriving before processing stays succeeded', async () => {
    const { id, intentId } = await createPayment();
    const t0 = now() + 5;
    await send(intentEvent('payment_intent.succeeded', { id: intentId }, t0 + 2));
    await waitForInboxIdle(t);
    await send(intentEvent('payment_intent.processing', { id: intentId }, t0 + 1));
    await send(intentEvent('payment_intent.requires_action', { id: intentId }, t0));
    await waitForInboxIdle(t);
    const body = await payment(id);
    expect(body.status).toBe('succeeded');
    expect(body.history.map((h: { status: string }) => h.status)).toEqual(['requires_payment_method', 'succeeded']);
  });

  it('an older non-final event never overwrites a newer one; a same-second tie goes to the later stage', async () => {
    const { id, intentId } = await createPayment();
    const t0 = now() + 10;
    await send(intentEvent('payment_intent.requires_action', { id: intentId }, t0 + 3));
    await waitForInboxIdle(t);
    await send(intentEvent('payment_intent.processing', { id: intentId }, t0 + 1));
    await waitForInboxIdle(t);
    expect((await payment(id)).status).toBe('requires_action');
    await send(intentEvent('payment_intent.processing', { id: intentId }, t0 + 3));
    await waitForInboxIdle(t);
    expect((await payment(id)).status).toBe('processing');
  });

  it('payment_failed → failed and payment.failed; a later retry can still succeed', async () => {
    const { id, intentId } = await createPayment();
    const t0 = now() + 20;
    await send(intentEvent('payment_intent.payment_failed', { id: intentId }, t0));
    await waitForInboxIdle(t);
    expect((await payment(id)).status).toBe('failed');
    expect(recorder.domain.some((d) => d.name === 'payment.failed' && d.payload.paymentId === id)).toBe(true);
    await send(intentEvent('payment_intent.succeeded', { id: intentId }, t0 + 30));
    await waitForInboxIdle(t);
    expect((await payment(id)).status).toBe('succeeded');
  });

  it('charge.refunded raises amountRefunded (never lowers it) and emits payment.refunded', async () => {
    const { id, intentId } = await createPayment(4000);
    const t0 = now() + 40;
    await send(intentEvent('payment_intent.succeeded', { id: intentId, amount: 4000 }, t0));
    await send(chargeRefundedEvent(intentId, 4000, t0 + 2));
    await waitForInboxIdle(t);
    await send(chargeRefundedEvent(intentId, 1000, t0 + 1)); // older, partial, handled after the full one
    await waitForInboxIdle(t);
    expect((await payment(id)).amountRefunded).toBe(4000);
    const refunded = recorder.domain.filter((d) => d.name === 'payment.refunded' && d.payload.paymentId === id);
    expect(refunded).toHaveLength(1);
    expect(refunded[0].payload).toMatchObject({ amountRefunded: 4000, fullyRefunded: true });
  });

  it('refund.updated moves our refund to its final status once', async () => {
    const created = await request(t.url)
      .post('/payments/intents')
      .set(user)
      .send({ amount: 3000, currency: 'eur', captureMethod: 'manual' })
      .expect(201);
    const intentId = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === created.body.id)
      ?.id as string;
    stripe.setIntentStatus(intentId, 'requires_capture');
    await request(t.url).post(`/payments/${created.body.id}/capture`).set(user).expect(200);
    const refund = await request(t.url)
      .post(`/payments/${created.body.id}/refunds`)
      .set(user)
      .send({ amount: 1000 })
      .expect(201);
    const stripeRefund = [...stripe.refunds.values()].find((r) => r.metadata.portico_refund_id === refund.body.id);
    expect(stripeRefund).toBeDefined();
    // The refund later fails at the bank; a stale "pending" update arrives after.
    await send(stripeEvent('refund.updated', { ...stripeRefund, status: 'failed' }, now() + 50));
    await send(stripeEvent('refund.updated', { ...stripeRefund, status: 'pending' }, now() + 49));
    await waitForInboxIdle(t);
    const body = await payment(created.body.id);
    expect(body.refunds).toEqual([expect.objectContaining({ id: refund.body.id, status: 'failed', amount: 1000 })]);
  });

  it('links a webhook to our payment by metadata when our own call never got Stripe’s answer', async () => {
    stripe.failNext(3, { status: 500, pathPrefix: '/v1/payment_intents' });
    const failed = await request(t.url)
      .post('/payments/intents')
      .set(user)
      .set('Idempotency-Key', 'lost-answer')
      .send({ amount: 6100, currency: 'eur' });
    expect(failed.status).toBe(503);
    const listed = await request(t.url).get('/payments?status=creating').set(user).expect(200);
    expect(listed.body.items).toHaveLength(1);
    const ourId = listed.body.items[0].id as string;
    // Stripe did create it after all (e.g. our read timed out): its event carries our id.
    await send(
      intentEvent(
        'payment_intent.succeeded',
        { id: 'pi_answer_lost', amount: 6100, metadata: { portico_payment_id: ourId } },
        now(),
      ),
    );
    await waitForInboxIdle(t);
    const body = await payment(ourId);
    expect(body).toMatchObject({ stripeId: 'pi_answer_lost', status: 'succeeded', amountReceived: 6100 });
  });

  it('an intent created elsewhere is recorded without owner: admins see it, callers do not', async () => {
    await send(
      intentEvent('payment_intent.succeeded', { id: 'pi_from_dashboard', amount: 777, currency: 'usd' }, now()),
    );
    await waitForInboxIdle(t);
    const list = await request(t.url).get('/payments?status=succeeded&limit=100').set(admin).expect(200);
    const row = list.body.items.find((p: { amount: number }) => p.amount === 777);
    expect(row).toBeDefined();
    await request(t.url).get(`/payments/${row.id}`).set(user).expect(404);
  });

  it('an intent first seen in an event starts at that event’s status, with its history, and moves on from there', async () => {
    const processing = intentEvent(
      'payment_intent.processing',
      { id: 'pi_seen_first', amount: 4200, currency: 'usd', description: 'Kiosk sale' },
      now() + 10,
    );
    await send(processing);
    await waitForInboxIdle(t);
    const list = await request(t.url).get('/payments?status=processing&limit=100').set(admin).expect(200);
    const row = list.body.items.find((p: { amount: number }) => p.amount === 4200);
    const detail = async () => (await request(t.url).get(`/payments/${row.id}`).set(admin).expect(200)).body;
    const first = await detail();
    expect(first).toMatchObject({ status: 'processing', amount: 4200, currency: 'usd', description: 'Kiosk sale' });
    expect(first.history).toEqual([
      expect.objectContaining({ status: 'processing', source: 'webhook', eventId: processing.id }),
    ]);
    expect(recorder.domain.filter((d) => d.payload.paymentId === row.id)).toEqual([]);

    // An older event changes nothing; a newer one moves it on, and its reaction fires once.
    await send(intentEvent('payment_intent.requires_action', { id: 'pi_seen_first', amount: 4200 }, now() + 5));
    const succeeded = intentEvent('payment_intent.succeeded', { id: 'pi_seen_first', amount: 4200 }, now() + 20);
    await send(succeeded);
    await waitForInboxIdle(t);
    const last = await detail();
    expect(last).toMatchObject({ status: 'succeeded', amountReceived: 4200 });
    expect(last.history.map((h: { status: string; eventId: string }) => [h.status, h.eventId])).toEqual([
      ['processing', processing.id],
      ['succeeded', succeeded.id],
    ]);
    expect(recorder.domain.filter((d) => d.name === 'payment.succeeded' && d.payload.paymentId === row.id)).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ ownerId: null, amount: 4200, currency: 'usd' }) }),
    ]);
  });

  it('an intent first seen in a succeeded event emits payment.succeeded once, as an ownerless payment', async () => {
    const event = intentEvent(
      'payment_intent.succeeded',
      { id: 'pi_adopted_paid', amount: 990, currency: 'eur' },
      now(),
    );
    await send(event);
    await send(event);
    await waitForInboxIdle(t);
    const emitted = recorder.domain.filter(
      (d) => d.name === 'payment.succeeded' && d.payload.stripeId === 'pi_adopted_paid',
    );
    expect(emitted).toEqual([
      expect.objectContaining({
        payload: expect.objectContaining({ ownerId: null, amount: 990, status: 'succeeded' }),
      }),
    ]);
  });

  it('an unknown event type is stored, acknowledged and done; "*" handlers see it; typed handlers run', async () => {
    const unknown = stripeEvent('issuing_card.shipped_to_the_moon', { id: 'ic_1', object: 'issuing.card' }, now());
    const invoice = stripeEvent('invoice.paid', { id: 'in_1', object: 'invoice' }, now());
    await send(unknown);
    await send(invoice);
    await waitForInboxIdle(t);
    const rows: Array<{ status: string; last_error: string | null }> = await t.app
      .get(DataSource)
      .query(`SELECT status, last_error FROM stripe_events WHERE event_id = '${unknown.id}'`);
    expect(rows).toEqual([{ status: 'done', last_error: null }]);
    expect(recorder.handled.get(unknown.id)).toBe(1);
    expect(recorder.typed).toContain(invoice.id);
  });

  it('a failing handler is retried with backoff until it succeeds', async () => {
    recorder.failOnce.add('customer.updated');
    const event = stripeEvent('customer.updated', { id: 'cus_2', object: 'customer' }, now());
    await send(event);
    await waitFor(() => recorder.handled.get(event.id) === 1, 20_000, 'the retried event to be handled');
    expect(recorder.attempts.filter((a) => a.id === event.id).map((a) => a.attempt)).toEqual([1, 2]);
  });

  it('admins list dead events and replay them; ordinary keys may not', async () => {
    recorder.failPermanently.add('product.updated');
    const event = stripeEvent('product.updated', { id: 'prod_1', object: 'product' }, now());
    await send(event);
    await waitForInboxIdle(t);
    await request(t.url).get('/admin/webhooks/stripe/events?status=dead').set(user).expect(403);
    const dead = await request(t.url).get('/admin/webhooks/stripe/events?status=dead').set(admin).expect(200);
    const row = dead.body.items.find((r: { eventId: string }) => r.eventId === event.id);
    expect(row).toMatchObject({
      status: 'dead',
      type: 'product.updated',
      lastError: expect.stringMatching(/recorder refuses/),
    });
    expect(dead.body.counts.dead).toBeGreaterThanOrEqual(1);
    await request(t.url).get('/admin/webhooks/stripe/events?status=bogus').set(admin).expect(400);

    recorder.failPermanently.delete('product.updated');
    const replayed = await request(t.url)
      .post(`/admin/webhooks/stripe/events/${event.id}/replay`)
      .set(admin)
      .expect(202);
    expect(replayed.body.eventId).toBe(event.id);
    await waitFor(() => recorder.handled.get(event.id) === 1, 10_000, 'the replayed event to be handled');
    const processed = await request(t.url)
      .get('/admin/webhooks/stripe/events?status=processed&limit=200')
      .set(admin)
      .expect(200);
    expect(processed.body.items.some((r: { eventId: string }) => r.eventId === event.id)).toBe(true);
    await request(t.url).post('/admin/webhooks/stripe/events/evt_nope/replay').set(admin).expect(404);
  });
});
