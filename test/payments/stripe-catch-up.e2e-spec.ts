import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { type TestApp, startTestApp } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { deliver, intentEvent, stripeTestEnv } from '../support/stripe/stripe-fixtures';

const ROOT = join(__dirname, '..', '..');

/** Runs `src/cli/stripe-catch-up.ts` (what `npm run stripe:catch-up` runs, from sources). */
function runCatchUp(env: Record<string, string>, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'src', 'cli', 'stripe-catch-up.ts'), ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('Stripe catch-up command', () => {
  const stripe = new StripeContractServer();
  let t: TestApp;

  beforeAll(async () => {
    await stripe.start();
    t = await startTestApp({ env: stripeTestEnv(stripe) });
  });
  afterAll(async () => {
    await t?.close();
    await stripe.stop();
  });

  it('stores the events Stripe lists that the webhook never delivered, once, across pages', async () => {
    const now = Math.floor(Date.now() / 1000);
    const events = Array.from({ length: 130 }, (_, i) =>
      intentEvent('payment_intent.processing', { id: `pi_catchup_${i}` }, now - 600 + i),
    );
    stripe.events = [...events, intentEvent('payment_intent.processing', { id: 'pi_too_old' }, now - 7200)];
    // Five of them did arrive by webhook.
    for (const event of events.slice(0, 5)) expect((await deliver(t.url, JSON.stringify(event))).status).toBe(200);

    const since = new Date((now - 3600) * 1000).toISOString();
    const env = { ...t.env, LOG_LEVEL: 'warn' };
    const first = await runCatchUp(env, ['--since', since]);
    expect(first.output).toContain('Stripe listed 130 event(s)');
    expect(first.output).toContain('125 were new');
    expect(first.code).toBe(0);
    expect(stripe.received('GET', '/v1/events').length).toBe(2);

    const again = await runCatchUp(env, ['--since', since]);
    expect(again.output).toContain('0 were new');

    const rows: Array<{ source: string; n: string | number }> = await t.app
      .get(DataSource)
      .query('SELECT source, COUNT(*) AS n FROM stripe_events GROUP BY source ORDER BY source');
    expect(rows.map((r) => [r.source, Number(r.n)])).toEqual([
      ['catch-up', 125],
      ['webhook', 5],
    ]);
  });

  it('refuses a missing or malformed --since with a usage message', async () => {
    const result = await runCatchUp({ ...t.env }, ['--since', 'yesterday']);
    expect(result.code).toBe(2);
    expect(result.output).toMatch(/usage: npm run stripe:catch-up -- --since/);
  });

  it('says in one line when Stripe is not configured', async () => {
    const result = await runCatchUp(
      { ...t.env, STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '', STRIPE_API_BASE: '' },
      ['--since', new Date(Date.now() - 3600_000).toISOString()],
    );
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(
      /Catch-up failed: stripe is not configured: set STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET/,
    );
    expect(result.output).not.toMatch(/\n\s+at /);
  });
});
