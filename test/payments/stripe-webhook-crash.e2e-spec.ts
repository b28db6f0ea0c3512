import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { STRIPE_EVENT_SLOTS } from '../../src/integrations/payments/webhooks/stripe-event.inbox';
import { type AppProcess, spawnApp } from '../support/app-process';
import { openAppDatabase } from '../support/app-database';
import { testEnv } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { buildScenario } from '../support/stripe/event-scenario';
import { expectFinalStates } from '../support/stripe/expect-payments';
import { signedHeaders, stripeTestEnv } from '../support/stripe/stripe-fixtures';
import { waitFor } from '../support/stripe/wait';

const EVENTS = 600;
/** The stripe-events queue's handler slots: at most this many are in flight at the kill. */
const slots = (env: Record<string, string>): number =>
  env.DATABASE_URL ? STRIPE_EVENT_SLOTS.postgres : STRIPE_EVENT_SLOTS.sqlite;
const FIXTURE = join(__dirname, '..', 'support', 'fixtures', 'stripe-crash.fixture.ts');

describe('Stripe webhook inbox survives SIGKILL mid-processing', () => {
  const stripe = new StripeContractServer();
  const processes: AppProcess[] = [];
  let env: Record<string, string>;
  let ds: DataSource;

  beforeAll(async () => {
    await stripe.start();
    // Slow handlers so the kill lands mid-run; a short lease so the restart takes over quickly.
    env = await testEnv({
      env: stripeTestEnv(stripe, { STRIPE_TEST_HANDLER_MS: '40', STRIPE_EVENT_LEASE_MS: '1500', LOG_LEVEL: 'error' }),
    });
  });
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await ds?.destroy();
    await stripe.stop();
    if (env) rmSync(env.DATA_DIR, { recursive: true, force: true });
  });

  const count = async (sql: string): Promise<number> =>
    Number((await ds.query<Array<{ n: string | number }>>(sql))[0].n);

  it('after a restart every acknowledged event is processed and no effect is applied twice', async () => {
    const first = await spawnApp(env, [FIXTURE]);
    processes.push(first);
    ds = await openAppDatabase(env);

    const scenario = buildScenario(EVENTS, 'crash');
    for (let start = 0; start < scenario.payloads.length; start += 50) {
      const answers = await Promise.all(
        scenario.payloads
          .slice(start, start + 50)
          .map((payload) =>
            fetch(`${first.url}/webhooks/stripe`, { method: 'POST', headers: signedHeaders(payload), body: payload }),
          ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    }
    // Kill while handlers are provably mid-run, some way in.
    await waitFor(
      async () =>
        (await count("SELECT COUNT(*) AS n FROM stripe_events WHERE status = 'done'")) >= EVENTS / 5 &&
        (await count("SELECT COUNT(*) AS n FROM stripe_events WHERE status = 'processing'")) > 0,
      30_000,
      'a fifth processed and events in flight',
    );
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const orphaned = new Set(
      (
        await ds.query<Array<{ event_id: string }>>("SELECT event_id FROM stripe_events WHERE status = 'processing'")
      ).map((r) => r.event_id),
    );
    expect(orphaned.size).toBeGreaterThan(0);
    expect(await count('SELECT COUNT(*) AS n FROM stripe_events')).toBe(EVENTS); // everything acknowledged was stored

    const second = await spawnApp(env, [FIXTURE]);
    processes.push(second);
    await waitFor(
      async () => (await count("SELECT COUNT(*) AS n FROM stripe_events WHERE status = 'done'")) === EVENTS,
      60_000,
      'every event done',
    );
    second.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    // Every event's handlers ran; only an event in flight at the kill can have run twice (at-least-once delivery to handlers)...
    const runs: Array<{ event_id: string; pid: number }> = await ds.query(
      'SELECT event_id, pid FROM test_stripe_handled',
    );
    const perEvent = new Map<string, number[]>();
    for (const run of runs) perEvent.set(run.event_id, [...(perEvent.get(run.event_id) ?? []), run.pid]);
    const ids = scenario.payloads.map((p) => (JSON.parse(p) as { id: string }).id);
    expect(ids.filter((id) => !perEvent.has(id))).toEqual([]);
    const twice = [...perEvent.entries()].filter(([, pids]) => pids.length > 1);
    expect(twice.length).toBeLessThanOrEqual(slots(env));
    for (const [id, pids] of twice) {
      expect(orphaned.has(id)).toBe(true);
      expect(new Set(pids).size).toBe(2);
    }
    // ...but no payment effect is applied twice, and every final state is right.
    await expectFinalStates(ds, scenario);
    process.stdout.write(
      `crash: ${orphaned.size} events orphaned by SIGKILL and taken over; ${twice.length} handler runs repeated, 0 effects repeated\n`,
    );
  }, 120_000);
});
