import { TEST_ADMIN_KEY, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { EmailsClient, acceptMany } from '../support/sendgrid/emails-client';
import { reliabilityEnv } from '../support/sendgrid/reliability-env';
import { FakeSendGrid } from '../support/sendgrid/sendgrid-fake';

describe('Email reliability', () => {
  let fake: FakeSendGrid;

  beforeAll(async () => {
    fake = await new FakeSendGrid().start();
  });
  afterAll(async () => fake?.close());
  beforeEach(() => fake.reset());

  describe('in one app', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: reliabilityEnv(fake) });
    });
    afterAll(async () => t?.close());

    it('sends 300 accepted messages exactly once while SendGrid answers 30% 503 and 10% 429', async () => {
      fake.setChaos({ unavailable: 0.3, rateLimited: 0.1, retryAfterSeconds: 1 });
      const ids = await acceptMany(new EmailsClient(t.url, TEST_KEY), 300);
      expect(new Set(ids).size).toBe(300);
      await eventually(
        async () => (ids.every((id) => fake.timesSent(id) >= 1) ? true : undefined),
        50_000,
        'all 300 sent',
      );
      const failures = fake.requests.filter((r) => r.status !== 202);
      expect(failures.some((r) => r.status === 503)).toBe(true);
      expect(failures.some((r) => r.status === 429)).toBe(true);
      expect(ids.filter((id) => fake.timesSent(id) !== 1)).toEqual([]);
      expect(fake.accepted.size).toBe(300);
      const admin = new EmailsClient(t.url, TEST_ADMIN_KEY);
      await eventually(async () =>
        ((await admin.getJson('/admin/emails?status=sent&limit=100')).body.items as unknown[]).length === 100
          ? true
          : undefined,
      );
      expect((await admin.getJson('/admin/emails?status=failed')).body.items).toEqual([]);
    }, 60_000);
  });
});
