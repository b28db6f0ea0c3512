import { DataSource } from 'typeorm';
import { DurableEvents } from '../../src/core/durable/durable-events';
import { TEST_ADMIN_KEY, TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp, testEnv } from '../support/app';
import { spawnApp } from '../support/app-process';
import { eventually } from '../support/eventually';
import { EmailsClient, plainEmail } from '../support/sendgrid/emails-client';

const RECEIPTS_TEMPLATE = 'd-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

describe('Email without SendGrid (log transport), redirect and receipts', () => {
  let t: TestApp;
  let user: EmailsClient;
  let admin: EmailsClient;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        API_KEYS: TEST_API_KEYS,
        EMAIL_REDIRECT_ALL_TO: 'staging@example.com',
        EMAIL_RECEIPTS_TEMPLATE_ID: RECEIPTS_TEMPLATE,
      },
    });
    user = new EmailsClient(t.url, TEST_KEY);
    admin = new EmailsClient(t.url, TEST_ADMIN_KEY);
  });
  afterAll(async () => t?.close());

  it('keeps what would have been sent readable through the API, redirected with the original recipients kept', async () => {
    const id = await user.send(plainEmail({ to: ['ada@example.com'], cc: ['bob@example.com'], html: '<b>Hi</b>' }));
    const email = await user.waitForStatus(id, 'sent');
    expect(email).toMatchObject({
      transport: 'log',
      providerMessageId: `log:${id}`,
      to: ['staging@example.com'],
      cc: [],
      originalRecipients: { to: ['ada@example.com'], cc: ['bob@example.com'], bcc: [] },
      subject: 'Hello',
      text: 'Hi Ada',
      html: '<b>Hi</b>',
    });
    const byOriginal = await user.getJson('/emails?to=ada@example.com');
    expect((byOriginal.body.items as Array<{ id: string }>).map((e) => e.id)).toEqual([id]);
  });

  it('reports SendGrid as not configured', async () => {
    const body = (await (await fetch(`${t.url}/health/ready`)).json()) as { providers: Record<string, unknown> };
    expect(body.providers.sendgrid).toEqual({ status: 'not_configured' });
  });

  it('refuses the event webhook with 503 while no verification key is set', async () => {
    const res = await fetch(`${t.url}/webhooks/sendgrid`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '[]',
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toContain('SENDGRID_WEBHOOK_PUBLIC_KEY');
  });

  it('queues one receipt per payment.succeeded, to the payment’s customer, kept under the payment’s owner', async () => {
    // The receipt is a durable reaction: published in the payment's transaction, as payment-state.store does.
    const durable = t.app.get(DurableEvents);
    const manager = t.app.get(DataSource).manager;
    const payment = {
      paymentId: 'pay_123',
      amount: 1999,
      currency: 'eur',
      customerEmail: 'buyer@example.com',
      ownerId: 'key:billing',
    };
    await durable.publish(manager, 'payment.succeeded', 'pay_123:1', payment);
    // Delivered again under another change key (a replayed event): still one receipt.
    await durable.publish(manager, 'payment.succeeded', 'pay_123:2', payment);
    await durable.publish(manager, 'payment.succeeded', 'pay_no_email:1', {
      paymentId: 'pay_no_email',
      amount: 100,
      currency: 'usd',
      customerEmail: null,
    });
    durable.kick();
    const receipts = await eventually(async () => {
      const list = await admin.getJson('/admin/emails?limit=100');
      const items = (list.body.items as Array<{ id: string; templateId: string | null }>).filter(
        (e) => e.templateId === RECEIPTS_TEMPLATE,
      );
      return items.length > 0 ? items : undefined;
    });
    expect(receipts).toHaveLength(1);
    const receipt = await admin.waitForStatus(receipts[0].id, 'sent');
    expect(receipt.originalRecipients?.to).toEqual(['buyer@example.com']);
    expect(receipt.dynamicTemplateData).toEqual({
      paymentId: 'pay_123',
      amount: 1999,
      currency: 'EUR',
      amountFormatted: '€19.99',
    });
  });
});

describe('Log transport output', () => {
  it('writes each message as one structured JSON log line', async () => {
    const env = await testEnv({
      env: { API_KEYS: TEST_API_KEYS, LOG_LEVEL: 'info', EMAIL_REDIRECT_ALL_TO: '', EMAIL_RECEIPTS_TEMPLATE_ID: '' },
    });
    const app = await spawnApp(env);
    try {
      const id = await new EmailsClient(app.url, TEST_KEY).send(plainEmail({ subject: 'Logged subject' }));
      const line = await eventually(
        async () =>
          app
            .output()
            .split('\n')
            .find((l) => l.includes(`"id":"${id}"`)),
        10_000,
        'log line',
      );
      const entry = JSON.parse(line) as { email: { id: string; to: string[]; subject: string; text: string } };
      expect(entry.email).toMatchObject({ id, to: ['ada@example.com'], subject: 'Logged subject', text: 'Hi Ada' });
    } finally {
      app.kill('SIGKILL');
      await app.exited;
    }
  });
});
