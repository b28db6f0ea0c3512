import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DataSource, In } from 'typeorm';
import { SendGridEventRecord } from '../../src/integrations/email/entities/sendgrid-event.entity';
import { TEST_ADMIN_KEY, TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { EventWebhookSigner } from '../support/sendgrid/event-signer';
import { EmailsClient, type EmailView, plainEmail } from '../support/sendgrid/emails-client';
import { FakeSendGrid } from '../support/sendgrid/sendgrid-fake';

const ROOT = join(__dirname, '..', '..');
const NEWSLETTER_GROUP = 42;

interface Suppression {
  id: string;
  address: string;
  reason: string;
  groupId: number | null;
  source: string;
}

let seq = 0;
function event(kind: string, email: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  return {
    email,
    timestamp: Math.floor(Date.now() / 1000),
    event: kind,
    sg_event_id: `sup-${Date.now()}-${seq}`,
    ...fields,
  };
}

/** Starts `src/cli/email-suppressions-sync.ts` (what `npm run email:suppressions:sync` runs, from sources). */
function startSync(
  env: Record<string, string>,
  args: string[],
): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(ROOT, 'src', 'cli', 'email-suppressions-sync.ts'), ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
  return { child, done };
}

describe('Email suppression ledger (webhook-fed, checked at accept and before send, admin API, sync)', () => {
  const signer = new EventWebhookSigner();
  let fake: FakeSendGrid;
  let t: TestApp;
  let user: EmailsClient;
  let admin: EmailsClient;

  beforeAll(async () => {
    fake = await new FakeSendGrid().start();
    t = await startTestApp({
      env: {
        API_KEYS: TEST_API_KEYS,
        SENDGRID_API_KEY: fake.apiKey,
        SENDGRID_API_BASE: fake.url,
        SENDGRID_WEBHOOK_PUBLIC_KEY: signer.publicKeyBase64,
        EMAIL_FROM: 'portico@example.com',
        EMAIL_ASM_GROUP_BY_CATEGORY: `newsletter=${NEWSLETTER_GROUP}`,
        EMAIL_SCHEDULE_HANDOVER_MINUTES: '11',
        // One SendGrid call per attempt: a refused or failed call shows at once.
        RESILIENCE_SENDGRID_MAX_ATTEMPTS: '1',
      },
    });
    user = new EmailsClient(t.url, TEST_KEY);
    admin = new EmailsClient(t.url, TEST_ADMIN_KEY);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  async function deliver(events: unknown[]): Promise<void> {
    const body = JSON.stringify(events);
    const res = await fetch(`${t.url}/webhooks/sendgrid`, { method: 'POST', headers: signer.headers(body), body });
    expect(res.status).toBe(200);
  }

  async function ledger(query = ''): Promise<Suppression[]> {
    const items: Suppression[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin.getJson(
        `/admin/email-suppressions?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      items.push(...(res.body.items as Suppression[]));
      cursor = res.body.nextCursor as string | null;
    } while (cursor !== null);
    return items;
  }

  const suppressedIn = async (address: string, groupId: number | null = null): Promise<Suppression> =>
    eventually(
      async () => (await ledger(`&address=${address}`)).find((s) => s.groupId === groupId),
      10_000,
      `${address} in the ledger`,
    );

  const recipientsSentTo = (id: string): string[] =>
    fake
      .requestsFor(id)
      .flatMap((r) => (r.body.personalizations as Array<{ to: Array<{ email: string }> }>).flatMap((p) => p.to))
      .map((to) => to.email);

  const suppressedHistory = (email: EmailView) => email.history.filter((h) => h.status === 'suppressed');

  it('after a hard bounce, a message to that address and another goes only to the other; the first is recorded suppressed', async () => {
    await deliver([event('bounce', 'bounced@example.com', { type: 'bounce', reason: '550 5.1.1 unknown user' })]);
    expect(await suppressedIn('bounced@example.com')).toMatchObject({
      reason: 'bounce',
      source: expect.stringMatching(/^webhook:sup-/),
    });

    const id = await user.send(plainEmail({ to: ['Bounced@Example.com', 'other@example.com'] }));
    const sent = await user.waitForStatus(id, 'sent');
    expect(recipientsSentTo(id)).toEqual(['other@example.com']);
    expect(sent.to).toEqual(['other@example.com']);
    expect(suppressedHistory(sent)).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({ email: 'Bounced@Example.com', reason: 'bounce', stage: 'accept' }),
      }),
    ]);
  });

  it('a spam report blocks: a message with only that recipient ends suppressed without a SendGrid call; a blocked bounce suppresses nothing', async () => {
    await deliver([
      event('bounce', 'blocked@example.com', { type: 'blocked', reason: '421 try later' }),
      event('spamreport', 'complains@example.com'),
    ]);
    expect(await suppressedIn('complains@example.com')).toMatchObject({ reason: 'spamreport' });
    // Once the inbox has applied every stored event, the blocked bounce has left no entry.
    const inbox = t.app.get(DataSource).getRepository(SendGridEventRecord);
    await eventually(async () =>
      (await inbox.countBy({ status: In(['pending', 'processing']) })) === 0 ? true : undefined,
    );
    expect(await ledger('&address=blocked@example.com')).toEqual([]);

    const res = await user.post('/emails', plainEmail({ to: ['complains@example.com'], cc: ['bounced@example.com'] }));
    expect(res).toMatchObject({ status: 202, body: { status: 'suppressed' } });
    const email = (await user.get(res.body.id as string)).body;
    expect(email.status).toBe('suppressed');
    expect(
      suppressedHistory(email)
        .map((h) => String(h.detail?.reason))
        .sort(),
    ).toEqual(['bounce', 'spamreport']);
    expect(fake.timesSent(email.id)).toBe(0);
    expect((await user.getJson('/emails?status=suppressed')).body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: email.id })]),
    );
  });

  it('a group unsubscribe blocks only that group (also its default by category); bypass lifts group unsubscribes only', async () => {
    await deliver([event('group_unsubscribe', 'grouped@example.com', { asm_group_id: NEWSLETTER_GROUP })]);
    expect(await suppressedIn('grouped@example.com', NEWSLETTER_GROUP)).toMatchObject({ reason: 'group_unsubscribe' });

    const byGroup = await user.post(
      '/emails',
      plainEmail({ to: ['grouped@example.com'], asmGroupId: NEWSLETTER_GROUP }),
    );
    expect(byGroup.body.status).toBe('suppressed');
    const byCategory = await user.post(
      '/emails',
      plainEmail({ to: ['grouped@example.com'], categories: ['newsletter'] }),
    );
    expect(byCategory.body.status).toBe('suppressed');

    const otherGroup = await user.send(
      plainEmail({ to: ['grouped@example.com'], asmGroupId: 7, asmGroupsToDisplay: [7, 42] }),
    );
    const bypass = await user.send(
      plainEmail({ to: ['grouped@example.com'], categories: ['newsletter'], bypassGroupUnsubscribes: true }),
    );
    await user.waitForStatus(otherGroup, 'sent');
    await user.waitForStatus(bypass, 'sent');
    expect(fake.requestsFor(otherGroup)[0].body.asm).toEqual({ group_id: 7, groups_to_display: [7, 42] });
    expect(fake.requestsFor(bypass)[0].body.asm).toEqual({ group_id: NEWSLETTER_GROUP });

    const bouncedBypass = await user.post(
      '/emails',
      plainEmail({ to: ['bounced@example.com'], bypassGroupUnsubscribes: true }),
    );
    expect(bouncedBypass.body.status).toBe('suppressed');

    await deliver([event('group_resubscribe', 'grouped@example.com', { asm_group_id: NEWSLETTER_GROUP })]);
    await eventually(async () => ((await ledger('&address=grouped@example.com')).length === 0 ? true : undefined));
    const again = await user.send(plainEmail({ to: ['grouped@example.com'], asmGroupId: NEWSLETTER_GROUP }));
    await user.waitForStatus(again, 'sent');
  });

  it('checks again just before sending: an address suppressed after acceptance is taken off', async () => {
    // Due in our outbox ~4 s after acceptance (11 minutes before sendAt).
    const sendAt = new Date(Date.now() + 11 * 60_000 + 4_000).toISOString();
    const id = await user.send(plainEmail({ to: ['late@example.com', 'kept@example.com'], sendAt }));
    const manual = await admin.post('/admin/email-suppressions', { address: 'late@example.com' });
    expect(manual).toMatchObject({
      status: 201,
      body: { address: 'late@example.com', reason: 'manual', groupId: null },
    });

    const sent = await user.waitForStatus(id, 'sent', 20_000);
    expect(recipientsSentTo(id)).toEqual(['kept@example.com']);
    expect(suppressedHistory(sent)).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({ email: 'late@example.com', reason: 'manual', stage: 'send' }),
      }),
    ]);
    const [request] = fake.requestsFor(id);
    expect(request.body.send_at).toBe(Math.floor(Date.parse(sendAt) / 1000));
    expect(fake.account.batches.get(request.body.batch_id as string)).toMatchObject({ status: 'open' });
  });

  it('admins list (filtered, paginated), add and lift suppressions; lifting goes through SendGrid first', async () => {
    expect((await user.getJson('/admin/email-suppressions')).status).toBe(403);
    expect((await admin.post('/admin/email-suppressions', { address: 'not an address' })).status).toBe(400);

    const bounces = await ledger('&reason=bounce');
    expect(bounces.map((s) => s.address)).toEqual(['bounced@example.com']);
    const first = await admin.getJson('/admin/email-suppressions?limit=1');
    expect(first.body.items).toHaveLength(1);
    const second = await admin.getJson(`/admin/email-suppressions?limit=1&cursor=${String(first.body.nextCursor)}`);
    expect((second.body.items as Suppression[])[0].id).not.toBe((first.body.items as Suppression[])[0].id);

    fake.account.add('bounces', 'bounced@example.com');
    fake.account.failNext(503);
    const refused = await fetch(`${t.url}/admin/email-suppressions/bounced@example.com`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await ledger('&address=bounced@example.com')).toHaveLength(1);

    const lifted = await fetch(`${t.url}/admin/email-suppressions/bounced@example.com`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toEqual({ address: 'bounced@example.com', removed: 1 });
    expect(fake.account.deletions).toContain('/v3/suppression/bounces/bounced@example.com');
    expect(fake.account.lists.get('bounces')?.has('bounced@example.com')).toBe(false);
    expect(await ledger('&address=bounced@example.com')).toEqual([]);
    const gone = await fetch(`${t.url}/admin/email-suppressions/bounced@example.com`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(gone.status).toBe(404);

    const id = await user.send(plainEmail({ to: ['bounced@example.com'] }));
    await user.waitForStatus(id, 'sent');
  });

  // Three runs of the command (each boots a Nest context from sources): a generous timeout for slow CI machines.
  it('sync pulls bounce, spam-report, global and group unsubscribe lists; a killed run resumes; repeating it changes nothing', async () => {
    fake.account.add('bounces', ...Array.from({ length: 7 }, (_, i) => `sync-bounce-${i}@example.com`));
    fake.account.add('spam_reports', 'sync-spam@example.com', 'complains@example.com');
    fake.account.add('unsubscribes', 'sync-unsub-1@example.com', 'sync-unsub-2@example.com');
    fake.account.addToGroup(NEWSLETTER_GROUP, 'sync-group@example.com');
    const env = { ...t.env, LOG_LEVEL: 'warn' };
    const key = (s: Suppression) => `${s.address}|${s.reason}|${s.groupId ?? ''}`;

    const unconfigured = await startSync({ ...env, SENDGRID_API_KEY: '', SENDGRID_API_BASE: '' }, []).done;
    expect(unconfigured).toMatchObject({ code: 2, output: expect.stringContaining('SendGrid is not configured') });

    // Killed mid-run (SIGKILL after its second page), then run again: it resumes instead of starting over.
    fake.setDelay(250);
    const killed = startSync(env, ['--page-size', '2']);
    await eventually(async () => (fake.account.listReads.length >= 2 ? true : undefined), 60_000, 'two pages read');
    killed.child.kill('SIGKILL');
    await killed.done;
    fake.setDelay(0);
    const readsBefore = fake.account.listReads.length;
    const resumed = await startSync(env, ['--page-size', '2']).done;
    expect(resumed.output).toContain('resumed and finished');
    expect(resumed.code).toBe(0);
    expect(fake.account.listReads.slice(readsBefore)[0]).toMatch(/^\/v3\/suppression\/bounces\?limit=2&offset=[2-9]/);
    const afterResume = (await ledger()).map(key).sort();
    expect(afterResume).toEqual(
      expect.arrayContaining([
        ...Array.from({ length: 7 }, (_, i) => `sync-bounce-${i}@example.com|bounce|`),
        'sync-spam@example.com|spamreport|',
        'sync-unsub-1@example.com|unsubscribe|',
        'sync-unsub-2@example.com|unsubscribe|',
        `sync-group@example.com|group_unsubscribe|${NEWSLETTER_GROUP}`,
      ]),
    );
    // complains@ was suppressed by the webhook already: one entry, the first.
    expect(afterResume.filter((k) => k.startsWith('complains@'))).toEqual(['complains@example.com|spamreport|']);

    // A whole run again: everything is read from the start, and the ledger stays the same.
    const again = await startSync(env, ['--page-size', '3']).done;
    expect(again.output).toContain('finished: SendGrid listed bounces 7, spam_reports 2, unsubscribes 2, group:42 1');
    expect(again.output).not.toContain('resumed');
    expect(again.code).toBe(0);
    expect((await ledger()).map(key).sort()).toEqual(afterResume);
  }, 120_000);
});
