/**
 * `npm run bench:billing`: the volume run. BILLING_VOLUME_EVENTS (2,000) distinct
 * subscription events for 200 subscriptions, each delivered three times in a shuffled order
 * (50 in flight, round-robin over the instances), with same-second ties; then checks that
 * every subscription ends in Stripe's final state. Rows: SQLite (one instance), PostgreSQL
 * (one instance, and two sharing the database and inbox). Prints seconds to deliver, seconds
 * until the inbox is drained, events handled per second, Stripe fetches made for ties, and
 * how many subscriptions ended wrong (must be 0).
 */
import { loadavg } from 'node:os';
import { DataSource } from 'typeorm';
import { type TestApp, startTestApp } from '../test/support/app';
import { startPostgres } from '../test/support/services';
import { StripeContractServer } from '../test/support/stripe/stripe-contract.server';
import { stripeTestEnv } from '../test/support/stripe/stripe-fixtures';
import {
  buildSubscriptionScenario,
  deliverAll,
  shuffled,
  subscriptionsNotInFinalState,
} from '../test/support/stripe/subscription-scenario';
import { waitForInboxIdle } from '../test/support/stripe/wait';
import { markdownTable } from './support/table';

const EVENTS = Number(process.env.BILLING_VOLUME_EVENTS ?? 2_000);
const DELIVERIES = 3;

interface Scenario {
  readonly engine: 'sqlite' | 'postgres';
  readonly instances: number;
}

const SCENARIOS: Scenario[] = [
  { engine: 'sqlite', instances: 1 },
  { engine: 'postgres', instances: 1 },
  { engine: 'postgres', instances: 2 },
];

async function run(scenario: Scenario): Promise<string[]> {
  process.env.TEST_DB_ENGINE = scenario.engine;
  const stripe = new StripeContractServer();
  await stripe.start();
  stripe.billing.prices.set('price_pro', 'prod_pro').set('price_team', 'prod_team');
  const env = stripeTestEnv(stripe, { LOG_LEVEL: 'error', RESILIENCE_STRIPE_RATE_PER_SEC: '1000' });
  const apps: TestApp[] = [await startTestApp({ env })];
  while (apps.length < scenario.instances) apps.push(await startTestApp({ env, shareWith: apps[0] }));
  try {
    const plan = buildSubscriptionScenario(stripe.billing, 'cus_bench', EVENTS);
    const started = process.hrtime.bigint();
    const statuses = await deliverAll(
      apps.map((app) => app.url),
      shuffled(plan.payloads, DELIVERIES),
    );
    const delivered = Number(process.hrtime.bigint() - started) / 1e9;
    await waitForInboxIdle(apps[0], 600_000);
    const drained = Number(process.hrtime.bigint() - started) / 1e9;
    const wrong = await subscriptionsNotInFinalState(apps[0].app.get(DataSource), plan);
    const fetches = stripe.received('GET', '/v1/subscriptions/').length;
    const ok = statuses[200] === EVENTS * DELIVERIES ? '' : ` (answers ${JSON.stringify(statuses)})`;
    return [
      scenario.engine,
      String(scenario.instances),
      delivered.toFixed(1),
      drained.toFixed(1),
      String(Math.round(EVENTS / drained)),
      String(fetches),
      `${wrong.length}${ok}`,
    ];
  } finally {
    for (const app of [...apps].reverse()) await app.close();
    await stripe.stop();
  }
}

async function main(): Promise<void> {
  const postgres = await startPostgres();
  if (typeof postgres === 'string') process.stdout.write(`PostgreSQL scenarios skipped: ${postgres}\n`);
  else process.env.TEST_POSTGRES_URL = postgres.url;
  const rows: string[][] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (scenario.engine === 'postgres' && typeof postgres === 'string') continue;
      rows.push(await run(scenario));
    }
  } finally {
    if (typeof postgres !== 'string') postgres.stop();
  }
  process.stdout.write(
    `\nSubscription events: ${EVENTS} events (${EVENTS / 10} subscriptions) × ${DELIVERIES} deliveries, shuffled; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}\n`,
  );
  process.stdout.write(
    markdownTable(['engine', 'instances', 'deliver s', 'drain s', 'events/s', 'tie fetches', 'wrong'], rows),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
