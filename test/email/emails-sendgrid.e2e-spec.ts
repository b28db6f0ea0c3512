import { TEST_ADMIN_KEY, TEST_API_KEYS, TEST_KEY, apiKeyEntry } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { EmailsClient, plainEmail } from '../support/sendgrid/emails-client';
import { FakeSendGrid } from '../support/sendgrid/sendgrid-fake';

const OTHER_KEY = 'pk_test_other_key_0123456789';

describe('Email through SendGrid (real @sendgrid/mail against a local v3 stand-in)', () => {
  let fake: FakeSendGrid;
  let t: TestApp;
  let user: EmailsClient;
  let other: EmailsClient;
  let admin: EmailsClient;

  beforeAll(async () => {
    fake = await new FakeSendGrid().start();
    t = await startTestApp({
      env: {
        API_KEYS: `${TEST_API_KEYS},${apiKeyEntry('other', OTHER_KEY)}`,
        SENDGRID_API_KEY: fake.apiKey,
        SENDGRID_API_BASE: fake.url,
        RESILIENCE_SENDGRID_TIMEOUT_MS: '500',
        EMAIL_FROM: 'portico@example.com',
        EMAIL_FROM_NAME: 'Portico',
        EMAIL_REPLY_TO: 'help@example.com',
        EMAIL_RETRY_BASE_MS: '20',
        EMAIL_RETRY_CAP_MS: '200',
        EMAIL_MAX_ATTEMPTS: '4',
        // One SendGrid call per outbox attempt and no breaker: these tests count the outbox's own attempts.
        // (The reliability tests run with the resilience layer's retries and breaker on.)
        RESILIENCE_SENDGRID_MAX_ATTEMPTS: '1',
        RESILIENCE_SENDGRID_BREAKER_CONSECUTIVE: '0',
        RESILIENCE_SENDGRID_BREAKER_RATIO: '0',
      },
    });
    user = new EmailsClient(t.url, TEST_KEY);
    other = new EmailsClient(t.url, OTHER_KEY);
    admin = new EmailsClient(t.url, TEST_ADMIN_KEY);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('accepts a message with 202 and sends it once with our id in custom_args', async () => {
    const res = await user.post(
      '/emails',
      plainEmail({
        to: ['ada@example.com'],
        cc: ['bob@example.com'],
        bcc: ['eve@example.com'],
        html: '<p>Hi</p>',
        categories: ['welcome'],
      }),
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
    const id = res.body.id as string;

    const sent = await user.waitForStatus(id, 'sent');
    expect(fake.timesSent(id)).toBe(1);
    const [request] = fake.requestsFor(id);
    expect(request.body).toMatchObject({
      from: { email: 'portico@example.com', name: 'Portico' },
      reply_to: { email: 'help@example.com' },
      subject: 'Hello',
      categories: ['welcome'],
      content: [
        { type: 'text/plain', value: 'Hi Ada' },
        { type: 'text/html', value: '<p>Hi</p>' },
      ],
      personalizations: [
        {
          to: [{ email: 'ada@example.com' }],
          cc: [{ email: 'bob@example.com' }],
          bcc: [{ email: 'eve@example.com' }],
          custom_args: { portico_message_id: id },
        },
      ],
    });
    expect(sent).toMatchObject({
      status: 'sent',
      attempts: 1,
      lastError: null,
      transport: 'sendgrid',
      providerMessageId: expect.stringMatching(/^\S{10,}$/),
    });
    expect(sent.history.map((h) => h.status)).toEqual(['queued', 'sent']);
  });

  it('sends a dynamic template with its data', async () => {
    const res = await user.post('/emails/template', {
      to: ['ada@example.com'],
      templateId: 'd-0123456789abcdef0123456789ABCDEF',
      dynamicTemplateData: { name: 'Ada', items: [1, 2] },
    });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    await user.waitForStatus(id, 'sent');
    const [request] = fake.requestsFor(id);
    expect(request.body.template_id).toBe('d-0123456789abcdef0123456789abcdef');
    expect(request.body.content).toBeUndefined();
    expect(request.body.personalizations).toEqual([
      {
        to: [{ email: 'ada@example.com' }],
        dynamic_template_data: { name: 'Ada', items: [1, 2] },
        custom_args: { portico_message_id: id },
      },
    ]);
  });

  it('keeps messages to their owner: another key gets 404, admins see everything', async () => {
    const id = await user.send(plainEmail({ subject: 'private' }));
    expect((await user.get(id)).status).toBe(200);
    const foreign = await other.get(id);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body)).not.toContain('private');
    expect((await admin.get(id)).status).toBe(200);
    const otherList = await other.getJson('/emails');
    expect((otherList.body.items as Array<{ id: string }>).some((e) => e.id === id)).toBe(false);
    const adminList = await admin.getJson('/admin/emails?limit=100');
    expect((adminList.body.items as Array<{ id: string }>).some((e) => e.id === id)).toBe(true);
  });

  it('pages through GET /emails with a cursor, newest first, filtered by recipient and status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await other.send(plainEmail({ to: [`page${i}@example.com`], subject: `page ${i}` })));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await other.getJson(`/emails?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      const items = page.body.items as Array<{ id: string }>;
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((e) => e.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const byRecipient = await other.getJson('/emails?to=PAGE3@example.com');
    expect((byRecipient.body.items as Array<{ id: string }>).map((e) => e.id)).toEqual([ids[3]]);
    const underscore = await other.send(plainEmail({ to: ['under_score@example.com'] }));
    await other.send(plainEmail({ to: ['underXscore@example.com'] }));
    const literal = await other.getJson('/emails?to=under_score@example.com');
    expect((literal.body.items as Array<{ id: string }>).map((e) => e.id)).toEqual([underscore]);
    await other.waitForStatus(ids[4], 'sent');
    await other.waitForStatus(underscore, 'sent');
    const sent = await other.getJson('/emails?status=sent&limit=100');
    expect((sent.body.items as Array<{ id: string; status: string }>).every((e) => e.status === 'sent')).toBe(true);
  });

  it('does not retry a 400: the message fails with SendGrid’s field errors, and an admin can retry it', async () => {
    fake.answer({
      status: 400,
      errors: [{ field: 'from', message: 'The from address does not match a verified Sender Identity.' }],
    });
    const id = await user.send(plainEmail());
    const failed = await user.waitForStatus(id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toContain('from: The from address does not match a verified Sender Identity.');
    expect(fake.requests).toHaveLength(1);

    const list = await admin.getJson('/admin/emails?status=failed&limit=100');
    expect((list.body.items as Array<{ id: string }>).map((e) => e.id)).toContain(id);
    expect((await user.post(`/admin/emails/${id}/retry`, {})).status).toBe(403);
    const retried = await admin.post(`/admin/emails/${id}/retry`, {});
    expect(retried).toEqual({ status: 202, body: { id, status: 'queued' } });
    const sent = await user.waitForStatus(id, 'sent');
    expect(fake.timesSent(id)).toBe(1);
    expect(sent.history.map((h) => h.status)).toEqual(['queued', 'failed', 'queued', 'sent']);
    expect((await admin.post(`/admin/emails/${id}/retry`, {})).status).toBe(409);
  });

  it.each([401, 403, 413] as const)('does not retry a %i', async (status) => {
    fake.answer({ status });
    const id = await user.send(plainEmail());
    const failed = await user.waitForStatus(id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toContain(String(status));
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a 429 no sooner than Retry-After says', async () => {
    fake.answer({ status: 429, retryAfterSeconds: 1 });
    const id = await user.send(plainEmail());
    const sent = await user.waitForStatus(id, 'sent');
    expect(sent.attempts).toBe(2);
    const [limited, accepted] = fake.requests;
    expect(limited.status).toBe(429);
    expect(accepted.status).toBe(202);
    expect(accepted.at - limited.at).toBeGreaterThanOrEqual(950);
  });

  it('retries 500s and a hanging SendGrid (timeout), then sends once', async () => {
    fake.answer({ status: 500 }, { status: 'hang' });
    const id = await user.send(plainEmail());
    const sent = await user.waitForStatus(id, 'sent');
    expect(sent.attempts).toBe(3);
    expect(fake.requests.map((r) => r.status)).toEqual([500, 0, 202]);
    expect(fake.timesSent(id)).toBe(1);
  });

  it('dead-letters after EMAIL_MAX_ATTEMPTS retryable failures', async () => {
    fake.setChaos({ unavailable: 1 });
    const id = await user.send(plainEmail());
    const failed = await user.waitForStatus(id, 'failed');
    expect(failed.attempts).toBe(4);
    expect(failed.lastError).toContain('503');
    expect(fake.requests.filter((r) => r.status === 503)).toHaveLength(4);
    expect(fake.timesSent(id)).toBe(0);
  });

  it('reports SendGrid degraded in /health/ready while sends keep failing, up again after a success', async () => {
    const sendgridHealth = async (): Promise<{ status: string; consecutiveFailures?: number }> =>
      (
        (await (await fetch(`${t.url}/health/ready`)).json()) as {
          providers: Record<string, { status: string; consecutiveFailures?: number }>;
        }
      ).providers.sendgrid;
    fake.setChaos({ unavailable: 1 });
    await user.waitForStatus(await user.send(plainEmail()), 'failed');
    await user.waitForStatus(await user.send(plainEmail()), 'failed');
    expect(await sendgridHealth()).toMatchObject({ status: 'degraded', consecutiveFailures: expect.any(Number) });
    fake.setChaos({});
    await user.waitForStatus(await user.send(plainEmail()), 'sent');
    expect((await sendgridHealth()).status).toBe('up');
  });

  it('reports SendGrid up in /health/ready', async () => {
    const res = await fetch(`${t.url}/health/ready`);
    const body = (await res.json()) as { providers: Record<string, { status: string }> };
    expect(body.providers.sendgrid.status).toBe('up');
  });

  it('sends through the resilience and monitoring layer (calls counted per outcome)', async () => {
    const id = await user.send(plainEmail());
    await user.waitForStatus(id, 'sent');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/integration_calls_total\{[^}]*provider="sendgrid"[^}]*operation="mail.send"[^}]*\} [1-9]/);
  });

  it('returns the first message for a repeated Idempotency-Key', async () => {
    const first = await user.post('/emails', plainEmail(), { 'Idempotency-Key': 'signup-42' });
    const second = await user.post('/emails', plainEmail(), { 'Idempotency-Key': 'signup-42' });
    expect(second.body.id).toBe(first.body.id);
    await user.waitForStatus(first.body.id as string, 'sent');
    await eventually(async () => (fake.requests.length === 1 ? true : undefined));
    expect(fake.timesSent(first.body.id as string)).toBe(1);
  });
});
