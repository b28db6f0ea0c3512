import type { DataSource } from 'typeorm';
import type { StripeRecorder } from '../fixtures/stripe-recording.fixture';
import type { Scenario } from './event-scenario';

/**
 * Final payment states match the scenario, each event changed a payment at
 * most once (no effect applied twice), and a final status is recorded once, last.
 */
export async function expectFinalStates(dataSource: DataSource, scenario: Scenario): Promise<void> {
  const rows: Array<{ id: string; stripe_id: string; status: string; amount_refunded: string | number }> =
    await dataSource.query('SELECT id, stripe_id, status, amount_refunded FROM payments WHERE stripe_id IS NOT NULL');
  const byIntent = new Map(rows.map((r) => [r.stripe_id, r]));
  const wrong: string[] = [];
  for (const [intentId, expected] of scenario.expected) {
    const row = byIntent.get(intentId);
    if (row?.status !== expected.status || Number(row.amount_refunded) !== expected.amountRefunded) {
      wrong.push(`${intentId}: ${row?.status}/${row?.amount_refunded} ≠ ${expected.status}/${expected.amountRefunded}`);
    }
  }
  expect(wrong).toEqual([]);

  const history: Array<{ payment_id: string; status: string; event_id: string }> = await dataSource.query(
    'SELECT payment_id, status, event_id FROM payment_status_changes ORDER BY payment_id, version',
  );
  const eventIds = history.map((h) => h.event_id);
  expect(eventIds.length).toBe(new Set(eventIds).size);
  const perPayment = new Map<string, string[]>();
  for (const h of history) perPayment.set(h.payment_id, [...(perPayment.get(h.payment_id) ?? []), h.status]);
  for (const statuses of perPayment.values()) {
    const finals = statuses.filter((s) => s === 'succeeded' || s === 'canceled');
    expect(finals.length).toBeLessThanOrEqual(1);
    if (finals.length === 1) expect(statuses[statuses.length - 1]).toBe(finals[0]);
  }
}

/** payment.succeeded once per succeeded payment; payment.refunded never twice for the same amount. */
export async function expectDomainEvents(
  dataSource: DataSource,
  scenario: Scenario,
  recorders: StripeRecorder[],
): Promise<void> {
  const rows: Array<{ id: string; stripe_id: string }> = await dataSource.query(
    'SELECT id, stripe_id FROM payments WHERE stripe_id IS NOT NULL',
  );
  const domain = recorders.flatMap((r) => r.domain);
  const paymentIds = new Set(rows.filter((r) => scenario.expected.has(r.stripe_id)).map((r) => r.id));
  const succeeded = domain.filter((d) => d.name === 'payment.succeeded' && paymentIds.has(String(d.payload.paymentId)));
  expect(succeeded.length).toBe([...scenario.expected.values()].filter((e) => e.status === 'succeeded').length);
  expect(new Set(succeeded.map((d) => d.payload.paymentId)).size).toBe(succeeded.length);
  const refundedSeen = new Set<string>();
  for (const d of domain.filter((x) => x.name === 'payment.refunded')) {
    const key = `${String(d.payload.paymentId)}:${String(d.payload.amountRefunded)}`;
    expect(refundedSeen.has(key)).toBe(false);
    refundedSeen.add(key);
  }
}
