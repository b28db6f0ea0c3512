import { DataSource } from 'typeorm';
import { startTestApp } from '../support/app';
import StripeRecordingFixtureModule, { StripeRecorder } from '../support/fixtures/stripe-recording.fixture';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { type Scenario, buildScenario, shuffledDeliveries } from '../support/stripe/event-scenario';
import { expectDomainEvents, expectFinalStates } from '../support/stripe/expect-payments';
import { signedHeaders, stripeTestEnv } from '../support/stripe/stripe-fixtures';
import { waitForInboxIdle } from '../support/stripe/wait';

// 120 intents of each of the five stories, every event delivered three times in a shuffled order: enough
// overlap for duplicates and out-of-order arrivals on every path; more only lengthens CI.
const EVENTS = 600;
const DELIVERIES_PER_EVENT = 3;
const AT_ONCE = 50;

/** Sends every delivery, 50 in flight at a time, round-robin over `urls`; counts answers. */
async function deliverAll(
  urls: readonly string[],
  deliveries: readonly string[],
): Promise<{ statuses: Map<number, number>; stored: number }> {
  const statuses = new Map<number, number>();
  let stored = 0;
  for (let start = 0; start < deliveries.length; start += AT_ONCE) {
    await Promise.all(
      deliveries.slice(start, start + AT_ONCE).map(async (payload, i) => {
        const res = await fetch(`${urls[(start + i) % urls.length]}/webhooks/stripe`, {
          method: 'POST',
          headers: signedHeaders(payload),
          body: payload,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const body = (await res.json()) as { duplicate?: boolean };
        if (res.status === 200 && body.duplicate === false) stored += 1;
      }),
    );
  }
  return { statuses, stored };
}

function expectExactlyOnce(scenario: Scenario, recorders: StripeRecorder[]): void {
  const ids = scenario.payloads.map((p) => (JSON.parse(p) as { id: string }).id);
  const counts = ids.map((id) => recorders.reduce((sum, r) => sum + (r.handled.get(id) ?? 0), 0));
  expect(counts.filter((c) => c === 0).length).toBe(0); // none lost
  expect(counts.filter((c) => c > 1).length).toBe(0); // none twice
}

describe(`Stripe webhook reliability: ${EVENTS} events × ${DELIVERIES_PER_EVENT} deliveries, shuffled, ${AT_ONCE} at a time`, () => {
  const stripe = new StripeContractServer();
  beforeAll(async () => {
    await stripe.start();
  });
  afterAll(async () => stripe.stop());

  it('one instance: every event stored once, handled exactly once, final payment states correct', async () => {
    const t = await startTestApp({ env: stripeTestEnv(stripe), extraModules: [StripeRecordingFixtureModule] });
    try {
      const scenario = buildScenario(EVENTS, 'one');
      const started = Date.now();
      const result = await deliverAll([t.url], shuffledDeliveries(scenario.payloads, DELIVERIES_PER_EVENT));
      expect(Object.fromEntries(result.statuses)).toEqual({ 200: EVENTS * DELIVERIES_PER_EVENT });
      expect(result.stored).toBe(EVENTS);
      const counts = await waitForInboxIdle(t, 60_000);
      expect(counts).toEqual({ done: EVENTS });
      const recorder = t.app.get(StripeRecorder);
      expectExactlyOnce(scenario, [recorder]);
      await expectFinalStates(t.app.get(DataSource), scenario);
      await expectDomainEvents(t.app.get(DataSource), scenario, [recorder]);
      process.stdout.write(
        `reliability (1 instance): ${EVENTS * DELIVERIES_PER_EVENT} deliveries stored and processed in ${Date.now() - started} ms\n`,
      );
    } finally {
      await t.close();
    }
  }, 120_000);

  it('two instances on one database claim from one inbox: still exactly once', async () => {
    const a = await startTestApp({ env: stripeTestEnv(stripe), extraModules: [StripeRecordingFixtureModule] });
    const b = await startTestApp({
      env: stripeTestEnv(stripe),
      extraModules: [StripeRecordingFixtureModule],
      shareWith: a,
    });
    try {
      const scenario = buildScenario(EVENTS, 'two');
      const started = Date.now();
      const result = await deliverAll([a.url, b.url], shuffledDeliveries(scenario.payloads, DELIVERIES_PER_EVENT));
      expect(Object.fromEntries(result.statuses)).toEqual({ 200: EVENTS * DELIVERIES_PER_EVENT });
      expect(result.stored).toBe(EVENTS);
      expect(await waitForInboxIdle(a, 60_000)).toEqual({ done: EVENTS });
      const recorders = [a.app.get(StripeRecorder), b.app.get(StripeRecorder)];
      expectExactlyOnce(scenario, recorders);
      // Both instances took part.
      expect(recorders.every((r) => r.handled.size > 0)).toBe(true);
      await expectFinalStates(a.app.get(DataSource), scenario);
      await expectDomainEvents(a.app.get(DataSource), scenario, recorders);
      process.stdout.write(
        `reliability (2 instances): ${recorders.map((r) => r.handled.size).join(' + ')} events handled in ${Date.now() - started} ms\n`,
      );
    } finally {
      await b.close();
      await a.close();
    }
  }, 120_000);
});
