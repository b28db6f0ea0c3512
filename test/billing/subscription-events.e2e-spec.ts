import { DataSource } from 'typeorm';
import { type TestApp, startTestApp, testEngine } from '../support/app';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import {
  buildSubscriptionScenario,
  deliverAll,
  shuffled,
  subscriptionsNotInFinalState,
} from '../support/stripe/subscription-scenario';
import { stripeTestEnv } from '../support/stripe/stripe-fixtures';
import { waitForInboxIdle } from '../support/stripe/wait';

// The full run is 2,000 events × 3 on two instances (`npm run bench:billing`); in CI 200 × 3
// (20 subscriptions, every path and tie of the story) keeps this file to seconds. BILLING_VOLUME_EVENTS overrides.
const EVENTS = Number(process.env.BILLING_VOLUME_EVENTS ?? 200);
const DELIVERIES = 3;

describe(`Subscription events: ${EVENTS} events × ${DELIVERIES} deliveries, shuffled`, () => {
  const stripe = new StripeContractServer();
  const apps: TestApp[] = [];

  beforeAll(async () => {
    await stripe.start();
    stripe.billing.prices.set('price_pro', 'prod_pro').set('price_team', 'prod_team');
    // Stripe's test-mode budget (25/s) would only slow the tie fetches down; the rate limit has its own suite.
    const env = stripeTestEnv(stripe, { RESILIENCE_STRIPE_RATE_PER_SEC: '1000' });
    apps.push(await startTestApp({ env }));
    // On PostgreSQL a second instance shares the database and the inbox (SKIP LOCKED claiming).
    if (testEngine() === 'postgres') apps.push(await startTestApp({ env, shareWith: apps[0] }));
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await stripe.stop();
  });

  it(`ends every subscription in Stripe's final state (${testEngine() === 'postgres' ? 'two instances' : 'one instance'})`, async () => {
    const scenario = buildSubscriptionScenario(stripe.billing, 'cus_volume', EVENTS);
    const statuses = await deliverAll(
      apps.map((app) => app.url),
      shuffled(scenario.payloads, DELIVERIES),
    );
    expect(statuses).toEqual({ 200: EVENTS * DELIVERIES });
    const counts = await waitForInboxIdle(apps[0], 120_000);
    expect(counts).toEqual({ done: EVENTS });

    const ds = apps[0].app.get(DataSource);
    expect(await subscriptionsNotInFinalState(ds, scenario)).toEqual([]);
    const [{ n }]: Array<{ n: string | number }> = await ds.query('SELECT COUNT(*) AS n FROM subscriptions');
    expect(Number(n)).toBe(scenario.subscriptions.length);
    // Ties were resolved by asking Stripe (not by the order they happened to arrive in).
    expect(stripe.received('GET', '/v1/subscriptions/').length).toBeGreaterThan(0);
  });
});
