import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { type AppProcess, spawnApp } from '../support/app-process';
import { openAppDatabase } from '../support/app-database';
import { testEnv } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { signedHeaders, stripeEvent, stripeTestEnv } from '../support/stripe/stripe-fixtures';
import { waitFor } from '../support/stripe/wait';

const EVENTS = 2_000;
const FIXTURE = join(__dirname, '..', 'support', 'fixtures', 'stripe-crash.fixture.ts');

/** PORTICO_ROLE: an `api` process stores and answers; a `worker` process started later drains what it stored. */
describe('PORTICO_ROLE=api and PORTICO_ROLE=worker', () => {
  const stripe = new StripeContractServer();
  const processes: AppProcess[] = [];
  let env: Record<string, string>;
  let ds: DataSource | undefined;

  beforeAll(async () => {
    await stripe.start();
    // The fixture's '*' handler records every run (event id, pid) in test_stripe_handled.
    env = await testEnv({ env: stripeTestEnv(stripe, { STRIPE_TEST_HANDLER_MS: '0', LOG_LEVEL: 'error' }) });
  });
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await ds?.destroy();
    await stripe.stop();
    if (env) rmSync(env.DATA_DIR, { recursive: true, force: true });
  });

  const count = async (sql: string): Promise<number> =>
    Number(((await ds?.query(sql)) as Array<{ n: string | number }>)[0].n);

  it('the api process takes every event while no worker runs; a worker started later processes each exactly once', async () => {
    const api = await spawnApp({ ...env, PORTICO_ROLE: 'api' }, [FIXTURE]);
    processes.push(api);
    ds = await openAppDatabase(env);

    const now = Math.floor(Date.now() / 1000);
    const payloads = Array.from({ length: EVENTS }, (_, i) =>
      JSON.stringify(stripeEvent('customer.updated', { id: `cus_${i}`, object: 'customer' }, now)),
    );
    for (let start = 0; start < EVENTS; start += 50) {
      const answers = await Promise.all(
        payloads
          .slice(start, start + 50)
          .map((payload) =>
            fetch(`${api.url}/webhooks/stripe`, { method: 'POST', headers: signedHeaders(payload), body: payload }),
          ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    }
    expect(await count("SELECT COUNT(*) AS n FROM stripe_events WHERE status = 'pending'")).toBe(EVENTS);
    expect(await count('SELECT COUNT(*) AS n FROM test_stripe_handled')).toBe(0);
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);

    const worker = await spawnApp({ ...env, PORTICO_ROLE: 'worker' }, [FIXTURE]);
    processes.push(worker);
    // A worker serves probes and metrics only.
    const refused = await fetch(`${worker.url}/webhooks/stripe`, {
      method: 'POST',
      headers: signedHeaders(payloads[0]),
      body: payloads[0],
    });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/PORTICO_ROLE=worker/);
    expect((await fetch(`${worker.url}/metrics`)).status).toBe(200);

    await waitFor(
      async () => (await count("SELECT COUNT(*) AS n FROM stripe_events WHERE status = 'done'")) === EVENTS,
      120_000,
      'the worker to process every event',
    );
    const runs = await ds.query<Array<{ event_id: string; pid: number | string }>>(
      'SELECT event_id, pid FROM test_stripe_handled',
    );
    expect(runs).toHaveLength(EVENTS);
    expect(new Set(runs.map((r) => r.event_id)).size).toBe(EVENTS);
    expect(new Set(runs.map((r) => Number(r.pid)))).toEqual(new Set([worker.child.pid]));

    for (const p of [api, worker]) p.kill('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, 240_000);
});
