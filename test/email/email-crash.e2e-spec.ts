import { TEST_ADMIN_KEY, TEST_KEY } from '../support/api-keys';
import { testEnv } from '../support/app';
import { type AppProcess, spawnApp } from '../support/app-process';
import { eventually } from '../support/eventually';
import { EmailsClient, acceptMany, plainEmail } from '../support/sendgrid/emails-client';
import { FakeSendGrid } from '../support/sendgrid/sendgrid-fake';
import { reliabilityEnv } from '../support/sendgrid/reliability-env';

describe('Email outbox across a crash', () => {
  let fake: FakeSendGrid;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    fake = await new FakeSendGrid().start();
  });
  afterAll(async () => {
    app?.kill('SIGKILL');
    await app?.exited;
    await fake?.close();
  });

  it('sends every accepted message after SIGKILL mid-drain and a restart, never to a suppressed address, and reports duplicates', async () => {
    // A short lease so the messages in flight at the kill are claimed again soon after the restart.
    const env = await testEnv({ env: { ...reliabilityEnv(fake), EMAIL_LEASE_MS: '3000' } });
    fake.setDelay(15); // slow enough that the drain is still running when the process is killed
    app = await spawnApp(env);
    // Suppressed addresses ride along in cc of every tenth message: the restart must not send to them either.
    const blocked = ['blocked-0@example.com', 'blocked-1@example.com'];
    for (const address of blocked)
      expect(
        (await new EmailsClient(app.url, TEST_ADMIN_KEY).post('/admin/email-suppressions', { address })).status,
      ).toBe(201);
    const ids = await acceptMany(new EmailsClient(app.url, TEST_KEY), 400, 16, (i) =>
      plainEmail({
        to: [`user${i}@example.com`],
        subject: `Message ${i}`,
        ...(i % 10 === 0 ? { cc: [blocked[i % 2]] } : {}),
      }),
    );
    await eventually(async () => (fake.accepted.size >= 50 ? true : undefined), 20_000, 'drain under way');
    app.kill('SIGKILL');
    await app.exited;
    const sentBeforeCrash = fake.accepted.size;
    expect(sentBeforeCrash).toBeLessThan(400);

    app = await spawnApp(env);
    const admin = new EmailsClient(app.url, TEST_ADMIN_KEY);
    // Done when the outbox itself has nothing left: every message recorded as sent, none queued or in flight.
    await eventually(
      async () => {
        if (!ids.every((id) => fake.timesSent(id) >= 1)) return undefined;
        for (const status of ['queued', 'sending', 'failed']) {
          if (((await admin.getJson(`/admin/emails?status=${status}&limit=1`)).body.items as unknown[]).length > 0)
            return undefined;
        }
        return true;
      },
      45_000,
      'every accepted message sent and recorded after restart',
    );
    const duplicates = fake.duplicates();
    process.stdout.write(
      `email crash test: ${ids.length} accepted, ${sentBeforeCrash} sent before SIGKILL, ${duplicates.size} sent twice (goal 0)\n`,
    );
    // A duplicate is a message SendGrid accepted while we were killed before recording it:
    // at most the sends in flight at the kill (EMAIL_CONCURRENCY). Each carries our id in custom_args.
    expect(duplicates.size).toBeLessThanOrEqual(16);
    expect(fake.accepted.size).toBe(ids.length);
    const mailed = fake.requests.flatMap((r) =>
      (r.body.personalizations as Array<Record<string, Array<{ email: string }> | undefined>>).flatMap((p) =>
        [...(p.to ?? []), ...(p.cc ?? []), ...(p.bcc ?? [])].map((e) => e.email),
      ),
    );
    expect(mailed.filter((email) => blocked.includes(email))).toEqual([]);
    expect(mailed).toContain('user1@example.com');
  }, 90_000);
});
