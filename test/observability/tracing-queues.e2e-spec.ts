import request from 'supertest';
import { DataSource } from 'typeorm';
import { TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver, tracingEnv } from '../support/otlp-receiver';
import { FakeSendGrid } from '../support/sendgrid/sendgrid-fake';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { WEBHOOK_SECRET, deliver, intentEvent, stripeTestEnv } from '../support/stripe/stripe-fixtures';

const CONSUMER = 5;
const CUSTOMER = 'ada.lovelace@example.com';
const DESCRIPTION = 'Analytical engine, second edition';

/** The spans from `span` up to the root of its trace, leaf first. */
function chainOf(span: ReceivedSpan, all: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(all.map((s) => [s.spanId, s]));
  const chain = [span];
  for (let parent = span.parentSpanId; parent !== undefined; parent = byId.get(parent)?.parentSpanId) {
    const next = byId.get(parent);
    if (next === undefined) throw new Error(`span ${parent} (parent in the chain) was never exported`);
    chain.push(next);
  }
  return chain;
}

/**
 * Trace context travels with durable rows: a signed Stripe webhook, its
 * handler (stripe-events queue), the payment update, the receipt reaction
 * (durable-events queue) and the receipt's send (emails queue) form one trace.
 */
describe('OpenTelemetry across the inbox and outbox queues', () => {
  const stripe = new StripeContractServer();
  let sendgrid: FakeSendGrid;
  let receiver: OtlpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    sendgrid = await new FakeSendGrid().start();
    await stripe.start();
    t = await startTestApp({
      env: stripeTestEnv(stripe, {
        ...tracingEnv(receiver),
        EMAIL_RECEIPTS_TEMPLATE_ID: `d-${'a'.repeat(32)}`,
        SENDGRID_API_KEY: sendgrid.apiKey,
        SENDGRID_API_BASE: sendgrid.url,
        EMAIL_FROM: 'portico@example.com',
        EMAIL_RETRY_BASE_MS: '20',
        EMAIL_RETRY_CAP_MS: '100',
        RESILIENCE_SENDGRID_MAX_ATTEMPTS: '2',
        RESILIENCE_SENDGRID_BACKOFF_BASE_MS: '10',
        RESILIENCE_SENDGRID_BACKOFF_CAP_MS: '20',
        RESILIENCE_SENDGRID_BREAKER_CONSECUTIVE: '0',
        RESILIENCE_SENDGRID_BREAKER_RATIO: '0',
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
    await sendgrid?.close();
    await receiver?.close();
  });

  it('puts webhook → handler → payment update → receipt → send (with both retry levels) in one trace', async () => {
    const created = await request(t.url)
      .post('/payments/intents')
      .set('Authorization', `Bearer ${TEST_KEY}`)
      .send({ amount: 4200, currency: 'eur', customerEmail: CUSTOMER, description: DESCRIPTION })
      .expect(201);
    const paymentId = created.body.id as string;
    const intent = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === paymentId);
    // SendGrid is down for the first outbox attempt (both of its calls), then accepts.
    sendgrid.answer({ status: 503 }, { status: 503 });
    const event = intentEvent(
      'payment_intent.succeeded',
      { id: intent?.id ?? '', amount: 4200 },
      Math.floor(Date.now() / 1000) + 1,
    );
    expect((await deliver(t.url, JSON.stringify(event))).status).toBe(200);

    const isSent = (s: ReceivedSpan): boolean =>
      s.name === 'sendgrid mail.send' && s.attributes['portico.outcome'] === 'success';
    const spans = await receiver.waitFor((all) => all.some(isSent), 20_000);
    const sent = spans.find(isSent) as ReceivedSpan;
    const chain = chainOf(sent, spans);

    expect(chain.map((s) => s.name)).toEqual([
      'sendgrid mail.send',
      'durable.process emails',
      'durable.process durable-events',
      'payment.update',
      'durable.process stripe-events',
      'POST /webhooks/stripe',
    ]);
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
    const [, sendRow, receipt, update, handler, webhook] = chain;
    expect(webhook.parentSpanId).toBeUndefined();
    expect(handler).toMatchObject({
      kind: CONSUMER,
      attributes: { 'portico.queue': 'stripe-events', 'portico.stripe.event_type': 'payment_intent.succeeded' },
    });
    // Each hop across a queue is also a link to the span that queued the row.
    for (const consumer of [handler, receipt, sendRow]) {
      expect(consumer.links).toMatchObject([{ traceId: webhook.traceId, spanId: consumer.parentSpanId }]);
    }
    expect(update.attributes).toEqual({
      'portico.payment.id': paymentId,
      'portico.payment.status': 'succeeded',
      'portico.payment.source': 'webhook',
      'portico.payment.applied': true,
    });

    // Queue-level retry: the outbox row's two attempts are sibling spans under the receipt that queued it.
    const rowAttempts = spans
      .filter((s) => s.name === 'durable.process emails' && s.parentSpanId === receipt.spanId)
      .sort(
        (a, b) => Number(a.attributes['portico.durable.attempt']) - Number(b.attributes['portico.durable.attempt']),
      );
    expect(rowAttempts.map((s) => [s.attributes['portico.durable.attempt'], s.status?.code ?? 0])).toEqual([
      [1, 2], // ERROR
      [2, 0],
    ]);
    expect(rowAttempts[1].spanId).toBe(sendRow.spanId);
    // Call-level retry: inside the first row attempt, one call with two attempt spans (503, 503) and a retry event.
    const failedCall = spans.find((s) => s.name === 'sendgrid mail.send' && s.parentSpanId === rowAttempts[0].spanId);
    expect(failedCall?.attributes).toMatchObject({ 'portico.attempts': 2, 'portico.outcome': 'error' });
    expect(failedCall?.events.map((e) => e.name)).toEqual(['retry']);
    const callAttempts = (call: ReceivedSpan | undefined): unknown[] =>
      spans
        .filter((s) => s.parentSpanId === call?.spanId)
        .map((s) => [s.attributes['portico.attempt'], s.attributes['portico.outcome']])
        .sort();
    expect(callAttempts(failedCall)).toEqual([
      [1, 'error'],
      [2, 'error'],
    ]);
    expect(callAttempts(sent)).toEqual([[1, 'success']]);

    // The context is stored on the rows themselves (the inbox row: the webhook's server span).
    const [row] = await t.app
      .get(DataSource)
      .query<Array<{ trace_context: string }>>(
        `SELECT trace_context FROM stripe_events WHERE event_id = '${event.id}'`,
      );
    expect(JSON.parse(row.trace_context)).toEqual({ traceparent: `00-${webhook.traceId}-${webhook.spanId}-01` });

    // Nothing secret or personal left the process with the spans.
    const exported = receiver.rawBodies().join('\n');
    for (const secret of [WEBHOOK_SECRET, stripe.secretKey, sendgrid.apiKey, TEST_KEY, CUSTOMER, DESCRIPTION]) {
      expect(exported).not.toContain(secret);
    }
  });
});
