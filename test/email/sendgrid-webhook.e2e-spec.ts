import { DataSource } from 'typeorm';
import { DurableProcessor } from '../../src/core/durable/durable.processor';
import { SendGridEventRecord } from '../../src/integrations/email/entities/sendgrid-event.entity';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { EventWebhookSigner } from '../support/sendgrid/event-signer';
import { EmailsClient, type EmailView, plainEmail } from '../support/sendgrid/emails-client';
import { FakeSendGrid } from '../support/sendgrid/sendgrid-fake';

let seq = 0;
/** A SendGrid event as the webhook delivers it (custom args appear as top-level fields). */
function event(kind: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  return {
    email: 'ada@example.com',
    timestamp: Math.floor(Date.now() / 1000),
    event: kind,
    sg_event_id: `evt-${Date.now()}-${seq}`,
    ...fields,
  };
}

describe('SendGrid event webhook (ECDSA P-256 signed)', () => {
  const signer = new EventWebhookSigner();
  let fake: FakeSendGrid;
  let t: TestApp;
  let client: EmailsClient;

  beforeAll(async () => {
    fake = await new FakeSendGrid().start();
    t = await startTestApp({
      env: {
        API_KEYS: TEST_API_KEYS,
        SENDGRID_API_KEY: fake.apiKey,
        SENDGRID_API_BASE: fake.url,
        SENDGRID_WEBHOOK_PUBLIC_KEY: signer.publicKeyBase64,
        SENDGRID_WEBHOOK_TOLERANCE_SECONDS: '300',
        EMAIL_FROM: 'portico@example.com',
        // One SendGrid call per outbox attempt, so a retry is a new outbox attempt that sees webhook events.
        RESILIENCE_SENDGRID_MAX_ATTEMPTS: '1',
      },
    });
    client = new EmailsClient(t.url, TEST_KEY);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  async function post(
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown>; type: string | null }> {
    const res = await fetch(`${t.url}/webhooks/sendgrid`, { method: 'POST', headers, body });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown>,
      type: res.headers.get('content-type'),
    };
  }

  async function deliver(events: unknown[]): Promise<void> {
    const body = JSON.stringify(events);
    const res = await post(body, signer.headers(body));
    expect(res).toMatchObject({ status: 200, body: { received: events.length } });
  }

  /** A sent message; events that suppress its recipient (bounce, spam report) need a recipient of their own. */
  async function sentMessage(to = 'ada@example.com'): Promise<EmailView> {
    const id = await client.send(plainEmail({ to: [to] }));
    return client.waitForStatus(id, 'sent');
  }

  /**
   * The message once its history shows every one of `statuses`. The applier writes history last, so a status in
   * the history means its status change is made; counting entries instead would race with the other events of a
   * batch, which are applied concurrently.
   */
  async function historyOf(id: string, statuses: readonly string[]): Promise<EmailView> {
    return eventually(
      async () => {
        const { body } = await client.get(id);
        const seen = new Set(body.history.map((h) => h.status));
        return statuses.every((status) => seen.has(status)) ? body : undefined;
      },
      10_000,
      `history of ${id} with ${statuses.join(', ')}`,
    );
  }

  it('applies a valid batch by our id: forward statuses, opens and clicks as history', async () => {
    const message = await sentMessage();
    await deliver([
      event('processed', { portico_message_id: message.id }),
      event('delivered', { portico_message_id: message.id, response: '250 OK' }),
      event('open', { portico_message_id: message.id, useragent: 'Mail' }),
      event('click', { portico_message_id: message.id, url: 'https://example.com/x' }),
    ]);
    const email = await historyOf(message.id, ['delivered', 'opened', 'clicked']);
    expect(email.status).toBe('delivered');
    expect(email.history.map((h) => h.status)).toEqual(
      expect.arrayContaining(['queued', 'sent', 'delivered', 'opened', 'clicked']),
    );
    expect(email.history.find((h) => h.status === 'clicked')?.detail).toMatchObject({ url: 'https://example.com/x' });
    const opened = await client.getJson('/emails?status=opened');
    expect((opened.body.items as Array<{ id: string }>).map((e) => e.id)).toContain(message.id);
  });

  it('never moves a status back: a late deferred after delivered is history only', async () => {
    const message = await sentMessage();
    await deliver([event('delivered', { portico_message_id: message.id })]);
    await client.waitForStatus(message.id, 'delivered');
    await deliver([event('deferred', { portico_message_id: message.id, response: '421 try later' })]);
    const email = await historyOf(message.id, ['deferred']);
    expect(email.status).toBe('delivered');
    expect(email.history.map((h) => h.status)).toContain('deferred');
  });

  it('stores and applies a redelivered event once (unique sg_event_id)', async () => {
    const message = await sentMessage('bounces-once@example.com');
    const bounce = event('bounce', {
      email: 'bounces-once@example.com',
      portico_message_id: message.id,
      reason: '550 no such user',
    });
    await deliver([bounce]);
    await deliver([bounce, bounce]);
    await client.waitForStatus(message.id, 'bounced');
    // Give a wrongly applied duplicate the chance to show up.
    await deliver([event('open', { portico_message_id: message.id })]);
    const email = await historyOf(message.id, ['opened']);
    expect(email.history.filter((h) => h.status === 'bounced')).toHaveLength(1);
  });

  it('processing a stored event again (a worker died before marking it done) adds no second history entry', async () => {
    const message = await sentMessage();
    const open = event('open', { portico_message_id: message.id });
    await deliver([open]);
    await historyOf(message.id, ['opened']);
    const rows = t.app.get(DataSource).getRepository(SendGridEventRecord);
    const stored = await rows.findOneByOrFail({ sgEventId: String(open.sg_event_id) });
    await eventually(async () => ((await rows.findOneBy({ id: stored.id }))?.status === 'done' ? true : undefined));
    expect(await t.app.get(DurableProcessor).queue('sendgrid-events')?.replay(stored.id)).toBe(true);
    await eventually(async () => {
      const row = await rows.findOneBy({ id: stored.id });
      return row?.status === 'done' && row.attempts === 1 && row.processedAt !== null ? true : undefined;
    });
    const { body } = await client.get(message.id);
    expect(body.history.filter((h) => h.status === 'opened')).toHaveLength(1);
  });

  it('falls back to sg_message_id when the event lacks our custom arg', async () => {
    const message = await sentMessage();
    await deliver([
      event('delivered', {
        sg_message_id: `${message.providerMessageId}.filterdrecv-5645d9c87f-7ngkq-1-5E1E1F7A-2E.0`,
      }),
    ]);
    await client.waitForStatus(message.id, 'delivered');
  });

  it('accepts events for unknown messages without failing the batch', async () => {
    const message = await sentMessage('reports-spam@example.com');
    await deliver([
      event('delivered', { portico_message_id: '01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70' }),
      event('delivered', { sg_message_id: 'unknownid.filter.0' }),
      event('spamreport', { email: 'reports-spam@example.com', portico_message_id: message.id }),
    ]);
    await client.waitForStatus(message.id, 'spamreport');
  });

  it('does not send again a message SendGrid already reported on (its 202 was lost to us)', async () => {
    fake.answer({ status: 429, retryAfterSeconds: 2 });
    const id = await client.send(plainEmail());
    await eventually(async () =>
      (await client.get(id)).body.attempts === 1 && fake.requests.some((r) => r.messageIds.includes(id))
        ? true
        : undefined,
    );
    await deliver([event('processed', { portico_message_id: id })]);
    const email = await eventually(
      async () => {
        const { body } = await client.get(id);
        return body.attempts === 2 && body.status === 'sent' ? body : undefined;
      },
      10_000,
      'second attempt skipped',
    );
    await eventually(async () =>
      ((await client.getJson('/emails?status=sending')).body.items as unknown[]).length === 0 ? true : undefined,
    );
    expect(fake.timesSent(id)).toBe(0);
    expect(email.history.map((h) => h.status)).toEqual(['queued', 'sent']);
  });

  it.each([
    [
      'a tampered body',
      (body: string) => ({ body: body.replace('delivered', 'bounce'), headers: signer.headers(body) }),
    ],
    [
      'a stale timestamp',
      (body: string) => ({ body, headers: signer.headers(body, Math.floor(Date.now() / 1000) - 301) }),
    ],
    ['another key', (body: string) => ({ body, headers: new EventWebhookSigner().headers(body) })],
    ['no signature headers', (body: string) => ({ body, headers: { 'Content-Type': 'application/json' } })],
  ])('refuses %s with a 400 problem and applies nothing', async (_name, make) => {
    const message = await sentMessage();
    const original = JSON.stringify([event('delivered', { portico_message_id: message.id })]);
    const { body, headers } = make(original);
    const res = await post(body, headers);
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/application\/problem\+json/);
    expect(res.body.type).toBe('https://portico.dev/problems/invalid-webhook-signature');
    // A valid event afterwards is applied; the refused one never was.
    await deliver([event('open', { portico_message_id: message.id })]);
    const email = await historyOf(message.id, ['opened']);
    expect(email.status).toBe('sent');
    expect(email.history.map((h) => h.status)).not.toContain('delivered');
  });

  it('refuses a signed body that is not a JSON array of events', async () => {
    for (const body of ['{"event":"delivered"}', '[1,2]', 'not json']) {
      const res = await post(body, signer.headers(body));
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.type).toMatch(/application\/problem\+json/);
    }
  });
});
