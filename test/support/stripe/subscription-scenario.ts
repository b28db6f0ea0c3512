import type { DataSource } from 'typeorm';
import type { FakeBilling, FakeSubscription } from './billing-contract';
import { snapshotEvent } from './billing-fixtures';
import { signedHeaders } from './stripe-fixtures';

export interface SubscriptionScenario {
  /** Event JSON texts, each a distinct event. */
  readonly payloads: string[];
  /** The subscriptions, as the fake holds them: their final state is Stripe's truth. */
  readonly subscriptions: FakeSubscription[];
}

const EVENTS_PER_SUBSCRIPTION = 10;

/**
 * `events` distinct subscription events (a multiple of 10) for `events / 10`
 * subscriptions of `customer`. Each subscription's story goes back and
 * forth (active → past_due → active, paused → resumed, cancel at period end
 * set and taken back, price changes, some end deleted), with some
 * consecutive events in the same second, so order cannot be told from
 * `event.created` alone and the tie rule (fetch from Stripe) is exercised.
 * The fake ends in each story's last state.
 */
export function buildSubscriptionScenario(
  fake: FakeBilling,
  customer: string,
  events: number,
  startSeconds = Math.floor(Date.now() / 1000) - 3_600,
): SubscriptionScenario {
  const payloads: string[] = [];
  const subscriptions: FakeSubscription[] = [];
  for (let n = 0; n < events / EVENTS_PER_SUBSCRIPTION; n += 1) {
    const subscription = fake.addSubscription(customer, 'price_pro', 'incomplete');
    subscriptions.push(subscription);
    let second = startSeconds;
    const emit = (type: string, change: (s: FakeSubscription) => void, sameSecond = false): void => {
      change(subscription);
      if (!sameSecond) second += 1 + (n % 3);
      payloads.push(JSON.stringify(snapshotEvent(type, subscription, second)));
    };
    const price = (id: string) => (s: FakeSubscription) => {
      s.items.data[0].price = { id, object: 'price', product: fake.prices.get(id) ?? '' };
    };
    emit('customer.subscription.created', (s) => (s.status = 'incomplete'));
    emit('customer.subscription.updated', (s) => (s.status = 'active'), true);
    emit('customer.subscription.updated', (s) => (s.status = 'past_due'));
    emit('customer.subscription.updated', (s) => (s.status = 'active'));
    emit('customer.subscription.updated', price('price_team'), true);
    emit('customer.subscription.paused', (s) => (s.status = 'paused'));
    emit('customer.subscription.resumed', (s) => (s.status = 'active'));
    emit('customer.subscription.updated', (s) => (s.cancel_at_period_end = true));
    emit('customer.subscription.updated', (s) => (s.cancel_at_period_end = n % 2 === 0), n % 4 === 1);
    // Every other story ends with two events in the same second: only Stripe can say which is last.
    const lastTies = n % 2 === 1;
    if (n % 3 === 0) emit('customer.subscription.deleted', (s) => (s.status = 'canceled'), lastTies);
    else emit('customer.subscription.updated', price(n % 3 === 1 ? 'price_pro' : 'price_team'), lastTies);
  }
  return { payloads, subscriptions };
}

/** Every payload `times` times, shuffled (Fisher–Yates). */
export function shuffled(payloads: readonly string[], times: number): string[] {
  const list = payloads.flatMap((p) => Array.from({ length: times }, () => p));
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/** Sends every delivery, `atOnce` in flight, round-robin over the apps at `urls`; the HTTP statuses seen, counted. */
export async function deliverAll(
  urls: readonly string[],
  deliveries: readonly string[],
  atOnce = 50,
): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  for (let start = 0; start < deliveries.length; start += atOnce) {
    await Promise.all(
      deliveries.slice(start, start + atOnce).map(async (payload, i) => {
        const res = await fetch(`${urls[(start + i) % urls.length]}/webhooks/stripe`, {
          method: 'POST',
          headers: signedHeaders(payload),
          body: payload,
        });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }),
    );
  }
  return statuses;
}

interface StoredSubscription {
  stripe_id: string;
  status: string;
  items: string;
  cancel_at_period_end: boolean | number;
  current_period_end: string | number;
}

/** Ids of the scenario's subscriptions whose stored row differs from Stripe's (the fake's) final state, or is missing. */
export async function subscriptionsNotInFinalState(
  dataSource: DataSource,
  scenario: SubscriptionScenario,
): Promise<string[]> {
  const rows: StoredSubscription[] = await dataSource.query(
    'SELECT stripe_id, status, items, cancel_at_period_end, current_period_end FROM subscriptions',
  );
  const stored = new Map(rows.map((row) => [row.stripe_id, row]));
  return scenario.subscriptions
    .filter((s) => {
      const row = stored.get(s.id);
      if (row === undefined) return true;
      const items = JSON.parse(row.items) as Array<{ price: string }>;
      return (
        row.status !== s.status ||
        items[0]?.price !== s.items.data[0].price.id ||
        Boolean(row.cancel_at_period_end) !== s.cancel_at_period_end ||
        Number(row.current_period_end) !== s.items.data[0].current_period_end
      );
    })
    .map((s) => s.id);
}
