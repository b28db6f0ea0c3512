import request from 'supertest';
import { DataSource } from 'typeorm';
import { TEST_ADMIN_KEY, TEST_API_KEYS, TEST_KEY, apiKeyEntry } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { StripeCatchUpService } from '../../src/integrations/payments/stripe-catch-up.service';
import { EntitlementFixtureModule } from '../support/fixtures/entitlement.fixture';
import { disputeEvent, snapshotEvent } from '../support/stripe/billing-fixtures';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { deliver, intentEvent, stripeTestEnv } from '../support/stripe/stripe-fixtures';
import { waitFor, waitForInboxIdle } from '../support/stripe/wait';

const PROBLEM = /application\/problem\+json/;
const OTHER_KEY = 'pk_test_other_billing_key_0123';
const READER_KEY = 'pk_test_reader_billing_key_012';
const READER_WRITER_KEY = 'pk_test_saver_billing_key_0123';
const TWIN_KEY = 'pk_test_twin_billing_key_012345';
const SHOP = 'https://shop.example.com';
const INVOICE_TEMPLATE = `d-${'b'.repeat(32)}`;

/** Customers, Checkout, subscriptions, entitlements, portal and disputes against the Stripe contract server. */
describe('Billing (Stripe) end to end', () => {
  const stripe = new StripeContractServer();
  const fake = stripe.billing;
  let t: TestApp;
  const auth = (key = TEST_KEY): Record<string, string> => ({ Authorization: `Bearer ${key}` });
  const now = (): number => Math.floor(Date.now() / 1000);
  const send = async (event: object): Promise<void> => {
    expect((await deliver(t.url, JSON.stringify(event))).status).toBe(200);
  };
  const features = async (key = TEST_KEY): Promise<string[]> =>
    (await request(t.url).get('/billing/entitlements').set(auth(key)).expect(200)).body.features;
  const checkout = (body: object, key = TEST_KEY, headers: Record<string, string> = {}) =>
    request(t.url)
      .post('/billing/checkout-sessions')
      .set({ ...auth(key), ...headers })
      .send(body);
  const subscriptionBody = {
    mode: 'subscription',
    items: [{ price: 'price_pro', quantity: 1 }],
    successUrl: `${SHOP}/done?session={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${SHOP}/cancel`,
  };

  beforeAll(async () => {
    await stripe.start();
    fake.prices.set('price_pro', 'prod_pro').set('price_team', 'prod_team');
    t = await startTestApp({
      env: stripeTestEnv(stripe, {
        API_KEYS: [
          TEST_API_KEYS,
          apiKeyEntry('other', OTHER_KEY),
          apiKeyEntry('reader', READER_KEY, 'payments:read'),
          apiKeyEntry('saver', READER_WRITER_KEY, 'payments:read+payments:write'),
          apiKeyEntry('twin', TWIN_KEY, 'payments:read+payments:write'),
        ].join(','),
        AUTH_REDIRECT_ALLOWLIST: SHOP,
        BILLING_ENTITLEMENTS: 'price_pro:pro+reports,prod_team:pro+team',
        BILLING_GRACE_DAYS: '3',
        EMAIL_INVOICE_TEMPLATE_ID: INVOICE_TEMPLATE,
      }),
      extraModules: [EntitlementFixtureModule],
    });
    stripe.webhookUrl = `${t.url}/webhooks/stripe`;
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });
  beforeEach(() => stripe.reset());

  it('creates one customer per owner, lazily, with a stable key, and attaches later payment intents to it', async () => {
    const first = await request(t.url).get('/billing/customer').set(auth()).expect(200);
    const again = await request(t.url).get('/billing/customer').set(auth()).expect(200);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^cus_/),
      ownerId: expect.stringMatching(/^key:/),
      createdAt: expect.any(String),
    });
    expect(again.body.id).toBe(first.body.id);
    const creates = stripe.received('POST', '/v1/customers');
    expect(creates).toHaveLength(1);
    expect(creates[0].idempotencyKey).toBe(`portico-customer-${first.body.ownerId}`);
    expect(creates[0].params).toMatchObject({ metadata: { portico_owner_id: first.body.ownerId } });

    await request(t.url).post('/payments/intents').set(auth()).send({ amount: 500, currency: 'eur' }).expect(201);
    expect(stripe.received('POST', '/v1/payment_intents')[0].params.customer).toBe(first.body.id);
    const other = await request(t.url).get('/billing/customer').set(auth(OTHER_KEY)).expect(200);
    expect(other.body.id).not.toBe(first.body.id);

    // Saving the payment method needs a customer: the intent creates the owner's first one.
    stripe.reset();
    await request(t.url)
      .post('/payments/intents')
      .set(auth(READER_WRITER_KEY))
      .send({ amount: 900, currency: 'eur', setupFutureUsage: 'off_session' })
      .expect(201);
    const [customerCall] = stripe.received('POST', '/v1/customers');
    const [intentCall] = stripe.received('POST', '/v1/payment_intents');
    expect(intentCall.params).toMatchObject({
      setup_future_usage: 'off_session',
      customer: expect.stringMatching(/^cus_/),
    });
    expect(customerCall.idempotencyKey).toMatch(/^portico-customer-key:/);
  });

  it('gives concurrent first calls of one owner the same single customer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => request(t.url).get('/billing/customer').set(auth(TWIN_KEY))),
    );
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
    const calls = stripe.received('POST', '/v1/customers');
    expect(new Set(calls.map((call) => call.idempotencyKey)).size).toBe(1);
    expect(fake.customers.has(answers[0].body.id)).toBe(true);
    const rows: unknown[] = await t.app
      .get(DataSource)
      .query(`SELECT id FROM billing_customers WHERE stripe_id = '${answers[0].body.id}'`);
    expect(rows).toHaveLength(1);
  });

  it('refuses bad Checkout input with 400 problem and calls Stripe for none of it', async () => {
    const cases: Array<[object, string]> = [
      [{ ...subscriptionBody, items: [{ price: 'pro-monthly', quantity: 1 }] }, 'items.0.price'],
      [{ ...subscriptionBody, successUrl: 'https://evil.example.net/done' }, 'successUrl'],
      [{ ...subscriptionBody, items: [{ price: 'price_pro', quantity: 0 }] }, 'items.0.quantity'],
      [{ ...subscriptionBody, mode: 'payment', trialDays: 7 }, 'trialDays'],
      [{ ...subscriptionBody, items: [] }, 'items'],
    ];
    for (const [body, field] of cases) {
      const res = await checkout(body, OTHER_KEY).expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const portal = await request(t.url)
      .post('/billing/portal-sessions')
      .set(auth(OTHER_KEY))
      .send({ returnUrl: 'https://evil.example.net/' })
      .expect(400);
    expect(portal.body.errors[0].field).toBe('returnUrl');
    expect(stripe.requests).toEqual([]);
  });

  it('checkout → checkout.session.completed → subscription active → entitlement granted (and the guarded route opens)', async () => {
    await request(t.url).get('/test-fixtures/reports/pro').set(auth()).expect(403);
    const created = await checkout({ ...subscriptionBody, allowPromotionCodes: true }, TEST_KEY, {
      'Idempotency-Key': 'checkout-1',
    }).expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^cs_test_/),
      url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//),
    });
    const replay = await checkout({ ...subscriptionBody, allowPromotionCodes: true }, TEST_KEY, {
      'Idempotency-Key': 'checkout-1',
    }).expect(201);
    expect(replay.body).toEqual(created.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    await checkout(subscriptionBody, TEST_KEY, { 'Idempotency-Key': 'checkout-1' }).expect(409);
    const sent = stripe.received('POST', '/v1/checkout/sessions');
    expect(sent).toHaveLength(1);
    expect(sent[0].params).toMatchObject({
      mode: 'subscription',
      line_items: { 0: { price: 'price_pro', quantity: '1' } },
      allow_promotion_codes: 'true',
      success_url: subscriptionBody.successUrl,
    });

    const session = fake.completeCheckout(created.body.id);
    expect((await stripe.emit('checkout.session.completed', session)).status).toBe(200);
    await waitForInboxIdle(t);
    const list = await request(t.url).get('/billing/subscriptions').set(auth()).expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ stripeId: session.subscription, status: 'active', cancelAtPeriodEnd: false }),
    ]);
    expect(await features()).toEqual(['pro', 'reports']);
    expect((await request(t.url).get('/test-fixtures/reports/pro').set(auth()).expect(200)).body).toEqual({
      report: 'pro',
    });
    const refused = await request(t.url).get('/test-fixtures/reports/pro').set(auth(OTHER_KEY)).expect(403);
    expect(refused.headers['content-type']).toMatch(PROBLEM);
    expect(refused.body.type).toMatch(/entitlement-required$/);
    const rows: Array<{ status: string }> = await t.app
      .get(DataSource)
      .query(`SELECT status FROM checkout_sessions WHERE stripe_id = '${created.body.id}'`);
    expect(rows).toEqual([{ status: 'complete' }]);
  });

  it('keeps a payment-mode session’s state from checkout.session.* events, whatever their order', async () => {
    const created = await checkout(
      {
        mode: 'payment',
        items: [{ price: 'price_pro', quantity: 2 }],
        successUrl: `${SHOP}/ok`,
        cancelUrl: `${SHOP}/no`,
      },
      OTHER_KEY,
    ).expect(201);
    const session = fake.checkoutSessions.get(created.body.id);
    if (session === undefined) throw new Error('session not at the fake');
    const second = now();
    session.status = 'complete';
    const completed = snapshotEvent('checkout.session.completed', session, second);
    session.payment_status = 'paid';
    // Same second, delivered first: the completed-but-unpaid event must not undo the payment.
    await stripe.emit('checkout.session.async_payment_succeeded', session, second);
    await waitForInboxIdle(t);
    await send(completed);
    await waitForInboxIdle(t);
    const row = async (): Promise<unknown> =>
      (
        await t.app
          .get(DataSource)
          .query(`SELECT status, payment_status FROM checkout_sessions WHERE stripe_id = '${created.body.id}'`)
      )[0];
    expect(await row()).toEqual({ status: 'complete', payment_status: 'paid' });
    session.status = 'expired';
    await send(snapshotEvent('checkout.session.expired', session, second - 30));
    await waitForInboxIdle(t);
    expect(await row()).toEqual({ status: 'complete', payment_status: 'paid' });
  });

  it('invoice.payment_failed → past_due (kept within grace, customer mailed) → subscription.deleted → entitlement gone', async () => {
    const customer = (await request(t.url).get('/billing/customer').set(auth(OTHER_KEY)).expect(200)).body.id;
    const subscription = fake.addSubscription(customer, 'price_team');
    await send(snapshotEvent('customer.subscription.created', subscription, now() - 5));
    await waitForInboxIdle(t);
    expect(await features(OTHER_KEY)).toEqual(['pro', 'team']);

    const invoice = fake.failRenewal(subscription.id, 'grace@example.com');
    const failed = snapshotEvent('invoice.payment_failed', invoice, now() - 3);
    await send(failed);
    await send(failed);
    await waitForInboxIdle(t);
    const list = await request(t.url).get('/billing/subscriptions').set(auth(OTHER_KEY)).expect(200);
    expect(list.body.items[0]).toMatchObject({ status: 'past_due', latestInvoice: invoice.id });
    expect(await features(OTHER_KEY)).toEqual(['pro', 'team']);
    const ds = t.app.get(DataSource);
    const mails = async (): Promise<Array<{ to_addresses: string }>> =>
      ds.query(`SELECT to_addresses FROM emails WHERE idempotency_key = 'invoice:${failed.id}'`);
    await waitFor(async () => (await mails()).length > 0, 15_000, 'the invoice email to be queued');
    expect(await mails()).toHaveLength(1);

    subscription.status = 'canceled';
    await send(snapshotEvent('customer.subscription.deleted', subscription, now()));
    await waitForInboxIdle(t);
    expect(await features(OTHER_KEY)).toEqual([]);
  });

  it('past_due beyond BILLING_GRACE_DAYS grants nothing', async () => {
    const customer = (await request(t.url).get('/billing/customer').set(auth(TEST_ADMIN_KEY)).expect(200)).body.id;
    const subscription = fake.addSubscription(customer, 'price_pro', 'past_due');
    await send(snapshotEvent('customer.subscription.updated', subscription, now() - 4 * 86_400));
    await waitForInboxIdle(t);
    expect(await features(TEST_ADMIN_KEY)).toEqual([]);
  });

  it('cancels, resumes and re-prices only with payments:write on one’s own subscription (another owner’s id is 404)', async () => {
    const mine = (await request(t.url).get('/billing/subscriptions').set(auth()).expect(200)).body.items[0];
    await request(t.url).post(`/billing/subscriptions/${mine.id}/cancel`).set(auth(READER_KEY)).send({}).expect(403);
    const foreign = await request(t.url).post(`/billing/subscriptions/${mine.id}/cancel`).set(auth(OTHER_KEY)).send({});
    expect(foreign.status).toBe(404);
    await request(t.url)
      .post(`/billing/subscriptions/${mine.stripeId}/price`)
      .set(auth(OTHER_KEY))
      .send({ price: 'price_team' })
      .expect(404);
    await request(t.url)
      .post(`/billing/subscriptions/${mine.id}/price`)
      .set(auth())
      .send({ price: 'team' })
      .expect(400);
    expect(stripe.requests).toEqual([]);

    const canceled = await request(t.url)
      .post(`/billing/subscriptions/${mine.id}/cancel`)
      .set(auth())
      .send({})
      .expect(200);
    expect(canceled.body).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    const resumed = await request(t.url).post(`/billing/subscriptions/${mine.stripeId}/resume`).set(auth()).expect(200);
    expect(resumed.body.cancelAtPeriodEnd).toBe(false);
    await request(t.url).post(`/billing/subscriptions/${mine.id}/resume`).set(auth()).expect(409);
    const repriced = await request(t.url)
      .post(`/billing/subscriptions/${mine.id}/price`)
      .set(auth())
      .send({ price: 'price_team', prorationBehavior: 'none' })
      .expect(200);
    expect(repriced.body.items[0]).toMatchObject({ price: 'price_team', product: 'prod_team' });
    expect(stripe.received('POST', `/v1/subscriptions/${mine.stripeId}`).at(-1)?.params).toMatchObject({
      proration_behavior: 'none',
      items: { 0: { price: 'price_team' } },
    });
    expect(await features()).toEqual(['pro', 'team']);
    const ended = await request(t.url)
      .post(`/billing/subscriptions/${mine.id}/cancel`)
      .set(auth(TEST_ADMIN_KEY))
      .send({ atPeriodEnd: false })
      .expect(200);
    expect(ended.body.status).toBe('canceled');
    expect(await features()).toEqual([]);
  });

  it('opens a portal session for the caller’s customer', async () => {
    const res = await request(t.url)
      .post('/billing/portal-sessions')
      .set(auth())
      .send({ returnUrl: `${SHOP}/account` })
      .expect(201);
    expect(res.body).toEqual({ url: expect.stringMatching(/^https:\/\/billing\.stripe\.com\//) });
    expect(stripe.received('POST', '/v1/billing_portal/sessions')[0].params).toMatchObject({
      return_url: `${SHOP}/account`,
    });
  });

  it('marks a payment disputed, then resolved, whatever order the dispute events arrive in', async () => {
    const created = await request(t.url)
      .post('/payments/intents')
      .set(auth())
      .send({ amount: 1000, currency: 'eur' })
      .expect(201);
    const intent = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === created.body.id);
    const pi = intent?.id ?? '';
    await send(intentEvent('payment_intent.succeeded', { id: pi }, now() - 10));
    await send(disputeEvent('charge.dispute.closed', pi, 'won', now()));
    await waitForInboxIdle(t);
    await send(disputeEvent('charge.dispute.created', pi, 'needs_response', now() - 5));
    await waitForInboxIdle(t);
    const payment = await request(t.url).get(`/payments/${created.body.id}`).set(auth()).expect(200);
    expect(payment.body).toMatchObject({ status: 'succeeded', disputeStatus: 'won' });

    const second = await request(t.url)
      .post('/payments/intents')
      .set(auth())
      .send({ amount: 700, currency: 'eur' })
      .expect(201);
    const pi2 = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === second.body.id)?.id ?? '';
    await send(disputeEvent('charge.dispute.created', pi2, 'needs_response', now()));
    await waitForInboxIdle(t);
    expect((await request(t.url).get(`/payments/${second.body.id}`).set(auth()).expect(200)).body.disputeStatus).toBe(
      'disputed',
    );
  });

  it('catch-up and admin replay bring subscription events through the same handlers', async () => {
    const customer = (await request(t.url).get('/billing/customer').set(auth(TEST_ADMIN_KEY)).expect(200)).body.id;
    const subscription = fake.addSubscription(customer, 'price_pro', 'trialing');
    const missed = snapshotEvent('customer.subscription.created', subscription, now() - 60);
    stripe.events = [missed];
    await t.app.get(StripeCatchUpService).catchUp(new Date(Date.now() - 3_600_000));
    await waitForInboxIdle(t);
    expect(await features(TEST_ADMIN_KEY)).toEqual(['pro', 'reports']);

    // An operator restored the table from an older backup: replaying the stored event rebuilds the row.
    const ds = t.app.get(DataSource);
    await ds.query(`DELETE FROM subscriptions WHERE stripe_id = '${subscription.id}'`);
    expect(await features(TEST_ADMIN_KEY)).toEqual([]);
    await request(t.url)
      .post(`/admin/webhooks/stripe/events/${missed.id}/replay`)
      .set(auth(TEST_ADMIN_KEY))
      .expect(202);
    await waitForInboxIdle(t);
    expect(await features(TEST_ADMIN_KEY)).toEqual(['pro', 'reports']);
  });
});
