import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TEST_KEY } from '../support/api-keys';
import { type AppProcess, spawnApp } from '../support/app-process';
import { openAppDatabase } from '../support/app-database';
import { testEnv } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { deliver, intentEvent, stripeTestEnv } from '../support/stripe/stripe-fixtures';
import { waitFor } from '../support/stripe/wait';

const FIXTURE = join(__dirname, '..', 'support', 'fixtures', 'kill-after-status.fixture.ts');

/** The receipt is a durable reaction: recorded with the status change, so a crash in between loses nothing. */
describe('SIGKILL between the payment status update and the receipt', () => {
  const stripe = new StripeContractServer();
  const processes: AppProcess[] = [];
  let env: Record<string, string>;
  let ds: DataSource | undefined;

  beforeAll(async () => {
    await stripe.start();
    env = await testEnv({
      env: stripeTestEnv(stripe, {
        EMAIL_RECEIPTS_TEMPLATE_ID: `d-${'b'.repeat(32)}`,
        STRIPE_EVENT_LEASE_MS: '1500',
        LOG_LEVEL: 'error',
      }),
    });
  });
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await ds?.destroy();
    await stripe.stop();
    if (env) rmSync(env.DATA_DIR, { recursive: true, force: true });
  });

  it('after a restart the receipt is sent, exactly once', async () => {
    const first = await spawnApp(env, [FIXTURE]);
    processes.push(first);
    const created = await fetch(`${first.url}/payments/intents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 1999, currency: 'eur', customerEmail: 'grace@example.com' }),
    });
    expect(created.status).toBe(201);
    const paymentId = ((await created.json()) as { id: string }).id;
    const intent = [...stripe.intents.values()].find((i) => i.metadata.portico_payment_id === paymentId);
    const event = intentEvent(
      'payment_intent.succeeded',
      { id: intent?.id ?? '', amount: 1999 },
      Math.floor(Date.now() / 1000) + 1,
    );
    expect((await deliver(first.url, JSON.stringify(event))).status).toBe(200);
    expect((await first.exited).signal).toBe('SIGKILL');

    ds = await openAppDatabase(env);
    const query = async <T>(sql: string): Promise<T[]> => (await ds?.query(sql)) as T[];
    const receipts = (): Promise<Array<{ email_status: string; status: string; attempts: number | string }>> =>
      query(`SELECT email_status, status, attempts FROM emails WHERE idempotency_key = 'receipt:${paymentId}'`);
    // Killed after the commit: the payment has succeeded, the receipt is not queued, its durable row is there.
    expect(await query(`SELECT status FROM payments WHERE id = '${paymentId}'`)).toEqual([{ status: 'succeeded' }]);
    expect(await receipts()).toEqual([]);
    // Pending; or claimed, when the queue's periodic poll was sent in the instant between the commit and the
    // kill (its lease, 30 s, then expires and the next process takes it over).
    expect(await query(`SELECT name, status FROM durable_events`)).toEqual([
      { name: 'payment.succeeded', status: expect.stringMatching(/^(pending|processing)$/) },
    ]);

    const second = await spawnApp(env, [FIXTURE]);
    processes.push(second);
    await waitFor(
      async () => (await receipts()).some((r) => r.email_status === 'sent'),
      60_000,
      'the receipt to be sent',
    );
    // The interrupted event is taken over after its lease and handled again: still one receipt.
    await waitFor(
      async () =>
        (await query<{ n: string | number }>("SELECT COUNT(*) AS n FROM stripe_events WHERE status = 'done'")).map(
          (r) => Number(r.n),
        )[0] === 1,
      30_000,
      'the interrupted event to be done',
    );
    second.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const [receipt, ...others] = await receipts();
    expect(others).toEqual([]);
    expect(receipt).toMatchObject({ email_status: 'sent', status: 'done' });
    expect(Number(receipt.attempts)).toBe(1); // one send
    expect(await query(`SELECT status FROM durable_events`)).toEqual([{ status: 'done' }]);
  }, 120_000);
});
