import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { EmailsClient, acceptMany, plainEmail } from '../support/sendgrid/emails-client';
import { FakeSendGrid } from '../support/sendgrid/sendgrid-fake';

describe('Email batching (EMAIL_BATCH=true)', () => {
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
        EMAIL_FROM: 'portico@example.com',
        EMAIL_BATCH: 'true',
        EMAIL_CONCURRENCY: '1',
        EMAIL_RETRY_BASE_MS: '20',
        EMAIL_RETRY_CAP_MS: '100',
        // The held first send must fail as one outbox attempt (no in-call retry) so the rest pile up.
        RESILIENCE_SENDGRID_MAX_ATTEMPTS: '1',
      },
    });
    client = new EmailsClient(t.url, TEST_KEY);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  /** Holds SendGrid until `count` messages are queued, then lets it answer. */
  async function queueWhileHeld(
    count: number,
    body: (i: number) => Record<string, unknown>,
    ...then: Parameters<FakeSendGrid['answer']>
  ): Promise<string[]> {
    // The first send (of the first message) fails slowly, so the rest pile up behind it.
    fake.answer({ status: 503 }, ...then);
    fake.setDelay(300);
    const ids = await acceptMany(client, count, 8, body);
    fake.setDelay(0);
    return ids;
  }

  it('sends messages with the same content as one request, one personalization each, each its own record', async () => {
    const ids = await queueWhileHeld(40, (i) =>
      plainEmail({ to: [`r${i}@example.com`], subject: 'Digest', text: 'Same for all' }),
    );
    await eventually(async () => (ids.every((id) => fake.timesSent(id) === 1) ? true : undefined), 15_000, 'all sent');
    const accepted = fake.requests.filter((r) => r.status === 202);
    expect(accepted.length).toBeLessThan(ids.length);
    const big = accepted.reduce((a, b) => (b.messageIds.length > a.messageIds.length ? b : a));
    expect(big.messageIds.length).toBeGreaterThan(1);
    const personalizations = big.body.personalizations as Array<{
      to: Array<{ email: string }>;
      custom_args: Record<string, string>;
    }>;
    expect(
      personalizations.every((p) => p.to.length === 1 && typeof p.custom_args.portico_message_id === 'string'),
    ).toBe(true);
    const sample = await client.waitForStatus(big.messageIds[1], 'sent');
    expect(sample.to).toHaveLength(1);
    expect(sample.providerMessageId).toEqual((await client.get(big.messageIds[0])).body.providerMessageId);
  });

  it('never mixes different content in one request', async () => {
    const ids = await queueWhileHeld(20, (i) => plainEmail({ to: [`m${i}@example.com`], subject: `Subject ${i % 2}` }));
    await eventually(async () => (ids.every((id) => fake.timesSent(id) === 1) ? true : undefined), 15_000, 'all sent');
    for (const request of fake.requests.filter((r) => r.status === 202)) {
      const subjects = new Set([request.body.subject]);
      expect(subjects.size).toBe(1);
      for (const id of request.messageIds) expect((await client.get(id)).body.subject).toBe(request.body.subject);
    }
  });

  it('retries each message alone when SendGrid refuses a batch', async () => {
    const ids = await queueWhileHeld(
      10,
      (i) => plainEmail({ to: [`x${i}@example.com`], subject: 'Refused batch', text: 'x' }),
      { status: 400, errors: [{ field: 'personalizations.3.to', message: 'Does not contain a valid address.' }] },
    );
    await eventually(async () => (ids.every((id) => fake.timesSent(id) === 1) ? true : undefined), 15_000, 'all sent');
    const refused = fake.requests.find((r) => r.status === 400);
    expect(refused?.messageIds.length).toBeGreaterThan(1);
    // Every message of the refused batch is then sent alone (another batch claimed concurrently,
    // before the refusal, may still go out whole: it was not refused).
    const accepted = fake.requests.filter((r) => r.status === 202);
    for (const id of refused?.messageIds ?? []) {
      const carrier = accepted.find((r) => r.messageIds.includes(id));
      expect(carrier?.messageIds).toEqual([id]);
    }
    for (const id of ids) expect((await client.waitForStatus(id, 'sent')).status).toBe('sent');
  });
});
