import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { TEST_ADMIN_KEY, TEST_KEY, apiKeyEntry } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { EmailsClient, plainEmail } from '../support/sendgrid/emails-client';
import { FakeSendGrid } from '../support/sendgrid/sendgrid-fake';

const OTHER_KEY = 'pk_test_other_key_0123456789';
/** Attachments of these apps: 256 KiB after base64 (the 30 MB default is exercised by `npm run bench:email-attachments`). */
const ATTACHMENTS_MAX_BYTES = 256 * 1024;

describe('Email senders, cancellable scheduled sends and attachments from stored files', () => {
  let fake: FakeSendGrid;
  let t: TestApp;
  let user: EmailsClient;
  let other: EmailsClient;
  let admin: EmailsClient;

  beforeAll(async () => {
    fake = await new FakeSendGrid().start();
    t = await startTestApp({
      env: {
        API_KEYS: [
          apiKeyEntry('tester', TEST_KEY),
          apiKeyEntry('other', OTHER_KEY),
          apiKeyEntry('admin', TEST_ADMIN_KEY, true),
        ].join(','),
        SENDGRID_API_KEY: fake.apiKey,
        SENDGRID_API_BASE: fake.url,
        EMAIL_FROM: 'portico@example.com',
        EMAIL_SENDERS: 'Billing <billing@example.com>, "Support Desk" <support@example.com>',
        EMAIL_SENDER_GRANTS: 'key:tester=billing@example.com',
        EMAIL_SCHEDULE_HANDOVER_MINUTES: '11',
        EMAIL_ATTACHMENTS_MAX_BYTES: String(ATTACHMENTS_MAX_BYTES),
        RESILIENCE_SENDGRID_MAX_ATTEMPTS: '1',
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

  describe('senders', () => {
    it('sends as an allowed sender (with its name); another sender is 403, an unknown one 400; admins may use any', async () => {
      const id = await user.send(plainEmail({ from: 'billing@example.com' }));
      await user.waitForStatus(id, 'sent');
      expect(fake.requestsFor(id)[0].body.from).toEqual({ email: 'billing@example.com', name: 'Billing' });

      const forbidden = await user.post('/emails', plainEmail({ from: 'support@example.com' }));
      expect(forbidden).toMatchObject({ status: 403, body: { detail: 'You may not send as support@example.com' } });
      const unknown = await user.post('/emails', plainEmail({ from: 'ceo@example.com' }));
      expect(unknown.status).toBe(400);
      expect(String(unknown.body.detail)).toMatch(/not one of the configured senders/);
      expect((await other.post('/emails', plainEmail({ from: 'billing@example.com' }))).status).toBe(403);

      const byDefault = await other.send(plainEmail({ from: 'portico@example.com' }));
      const byAdmin = await admin.send(plainEmail({ from: 'support@example.com' }));
      await other.waitForStatus(byDefault, 'sent');
      await admin.waitForStatus(byAdmin, 'sent');
      expect(fake.requestsFor(byDefault)[0].body.from).toEqual({ email: 'portico@example.com' });
      expect(fake.requestsFor(byAdmin)[0].body.from).toEqual({ email: 'support@example.com', name: 'Support Desk' });
    });
  });

  describe('scheduled sends', () => {
    const cancel = (client: EmailsClient, id: string) => client.post(`/emails/${id}/cancel`, {});

    it('cancels in our outbox before the hand-over: nothing reaches SendGrid; cancelling again is harmless', async () => {
      const id = await user.send(plainEmail({ sendAt: new Date(Date.now() + 2 * 3600_000).toISOString() }));
      expect((await cancel(other, id)).status).toBe(404);
      expect(await cancel(user, id)).toEqual({ status: 200, body: { id, status: 'cancelled' } });
      expect((await cancel(user, id)).status).toBe(200);
      const email = (await user.get(id)).body;
      expect(email.status).toBe('cancelled');
      expect(email.history.find((h) => h.status === 'cancelled')?.detail).toEqual({ cancelledAt: 'outbox' });
      expect(fake.timesSent(id)).toBe(0);
      expect(fake.account.batches.size).toBe(0);
    });

    it('cancels at SendGrid once handed over: the batch is cancelled there', async () => {
      // Due for hand-over ~1 s after acceptance (11 minutes before sendAt).
      const sendAt = new Date(Date.now() + 11 * 60_000 + 1_000);
      const id = await user.send(plainEmail({ sendAt: sendAt.toISOString() }));
      await user.waitForStatus(id, 'sent', 15_000);
      const [handedOver] = fake.requestsFor(id);
      const batchId = handedOver.body.batch_id as string;
      expect(handedOver.body.send_at).toBe(Math.floor(sendAt.getTime() / 1000));
      expect(fake.account.batches.get(batchId)).toMatchObject({ status: 'open' });

      expect(await cancel(user, id)).toEqual({ status: 200, body: { id, status: 'cancelled' } });
      expect(fake.account.batches.get(batchId)).toMatchObject({ status: 'cancel' });
      const email = (await user.get(id)).body;
      expect(email.status).toBe('cancelled');
      expect(email.history.find((h) => h.status === 'cancelled')?.detail).toEqual({ cancelledAt: 'sendgrid' });
    });

    it('answers 409 when it is too late: SendGrid refuses within 10 minutes, after sendAt, or nothing was scheduled', async () => {
      const soon = await user.send(plainEmail({ sendAt: new Date(Date.now() + 5 * 60_000).toISOString() }));
      await user.waitForStatus(soon, 'sent');
      const refused = await cancel(user, soon);
      expect(refused.status).toBe(409);
      expect(String(refused.body.detail)).toMatch(/SendGrid refused/);
      expect((await user.get(soon)).body.status).toBe('sent');

      const sendAt = Date.now() + 1_500;
      const passing = await user.send(plainEmail({ sendAt: new Date(sendAt).toISOString() }));
      await user.waitForStatus(passing, 'sent');
      await eventually(async () => (Date.now() > sendAt + 100 ? true : undefined));
      const late = await cancel(user, passing);
      expect(late.status).toBe(409);
      expect(String(late.body.detail)).toMatch(/has passed/);

      const unscheduled = await user.send(plainEmail());
      expect((await cancel(user, unscheduled)).status).toBe(409);
    });
  });

  describe('attachments', () => {
    async function upload(bytes: Buffer, key = TEST_KEY, filename = 'report.bin'): Promise<string> {
      const res = await request(t.url)
        .post('/files')
        .set('X-Api-Key', key)
        .attach('file', bytes, { filename, contentType: 'application/octet-stream' });
      expect(res.status).toBe(201);
      return (res.body as { id: string }).id;
    }

    it('streams a stored file into the message; SendGrid gets exactly its bytes', async () => {
      const bytes = randomBytes(90 * 1024);
      const fileId = await upload(bytes);
      const res = await user.post(
        '/emails',
        plainEmail({
          html: '<p><img src="cid:logo"></p>',
          attachments: [
            { fileId, filename: 'Q3 report.bin' },
            { fileId, disposition: 'inline', contentId: 'logo' },
          ],
        }),
      );
      expect(res.status).toBe(202);
      const id = res.body.id as string;
      const email = await user.waitForStatus(id, 'sent');
      const [sent] = fake.requestsFor(id);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      expect(sent.attachments).toEqual([
        { filename: 'Q3 report.bin', bytes: bytes.length, sha256 },
        { filename: 'report.bin', bytes: bytes.length, sha256, contentId: 'logo' },
      ]);
      expect(sent.body.attachments).toEqual([
        expect.objectContaining({ type: 'application/octet-stream', disposition: 'attachment' }),
        expect.objectContaining({ disposition: 'inline', content_id: 'logo' }),
      ]);
      expect((email as unknown as { attachments: unknown[] }).attachments).toHaveLength(2);
    });

    it('refuses at accept, queueing nothing: too large after base64 (413), another owner’s or a missing file (404), inline without contentId (400)', async () => {
      const before = (await admin.getJson('/admin/emails?limit=100')).body.items as unknown[];
      // 2 × 100 KiB is 273 KiB after base64: over the 256 KiB of this app.
      const big = await upload(randomBytes(100 * 1024));
      const tooLarge = await user.post('/emails', plainEmail({ attachments: [{ fileId: big }, { fileId: big }] }));
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body).toMatchObject({ limit: ATTACHMENTS_MAX_BYTES });

      const foreign = await upload(randomBytes(1024), OTHER_KEY);
      expect((await user.post('/emails', plainEmail({ attachments: [{ fileId: foreign }] }))).status).toBe(404);
      const missing = '01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70';
      expect((await user.post('/emails', plainEmail({ attachments: [{ fileId: missing }] }))).status).toBe(404);
      const inline = await user.post('/emails', plainEmail({ attachments: [{ fileId: big, disposition: 'inline' }] }));
      expect(inline.status).toBe(400);
      expect((await user.post('/emails', plainEmail({ attachments: [{ fileId: 'nope' }] }))).status).toBe(400);

      const after = (await admin.getJson('/admin/emails?limit=100')).body.items as unknown[];
      expect(after.length).toBe(before.length);
    });
  });
});
