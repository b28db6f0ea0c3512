import { chargeRefundedEvent, intentEvent } from './stripe-fixtures';

/** What the payment of one intent must end as, whatever order its events arrive in. */
export interface ExpectedPayment {
  readonly status: string;
  readonly amountRefunded: number;
}

export interface Scenario {
  /** Event JSON texts, each a distinct event. */
  readonly payloads: string[];
  readonly expected: Map<string, ExpectedPayment>;
}

const AMOUNT = 1000;
type Step = [type: string, offset: number, refunded?: number];

/**
 * Five stories of five events per intent, covering success with refunds,
 * cancellation after a failure, a retry that succeeds, a same-second tie
 * (processing vs amount_capturable_updated) and a payment still in flight.
 */
const STORIES: ReadonlyArray<{ steps: Step[]; expected: ExpectedPayment }> = [
  {
    steps: [
      ['payment_intent.requires_action', 0],
      ['payment_intent.processing', 1],
      ['payment_intent.succeeded', 2],
      ['charge.refunded', 3, 300],
      ['charge.refunded', 4, AMOUNT],
    ],
    expected: { status: 'succeeded', amountRefunded: AMOUNT },
  },
  {
    steps: [
      ['payment_intent.requires_action', 0],
      ['payment_intent.processing', 1],
      ['payment_intent.payment_failed', 2],
      ['payment_intent.requires_action', 3],
      ['payment_intent.canceled', 4],
    ],
    expected: { status: 'canceled', amountRefunded: 0 },
  },
  {
    steps: [
      ['payment_intent.processing', 0],
      ['payment_intent.payment_failed', 1],
      ['payment_intent.requires_action', 2],
      ['payment_intent.processing', 3],
      ['payment_intent.succeeded', 4],
    ],
    expected: { status: 'succeeded', amountRefunded: 0 },
  },
  {
    steps: [
      ['payment_intent.requires_action', 0],
      ['payment_intent.processing', 1],
      ['payment_intent.amount_capturable_updated', 1],
      ['payment_intent.succeeded', 2],
      ['charge.refunded', 3, 200],
    ],
    expected: { status: 'succeeded', amountRefunded: 200 },
  },
  {
    steps: [
      ['payment_intent.requires_action', 0],
      ['payment_intent.processing', 1],
      ['payment_intent.payment_failed', 2],
      ['payment_intent.requires_action', 3],
      ['payment_intent.processing', 4],
    ],
    expected: { status: 'processing', amountRefunded: 0 },
  },
];

/** `events` distinct events (a multiple of 5) for `events / 5` intents named `${prefix}_<n>`. */
export function buildScenario(events: number, prefix: string, startSeconds = Math.floor(Date.now() / 1000)): Scenario {
  const payloads: string[] = [];
  const expected = new Map<string, ExpectedPayment>();
  for (let n = 0; n < events / 5; n += 1) {
    const story = STORIES[n % STORIES.length];
    const intentId = `pi_${prefix}_${n}`;
    expected.set(intentId, story.expected);
    for (const [type, offset, refunded] of story.steps) {
      const created = startSeconds + offset;
      const event =
        type === 'charge.refunded'
          ? chargeRefundedEvent(intentId, refunded ?? 0, created)
          : intentEvent(type, { id: intentId, amount: AMOUNT }, created);
      payloads.push(JSON.stringify(event));
    }
  }
  return { payloads, expected };
}

/** Every payload `times` times, shuffled (Fisher–Yates). */
export function shuffledDeliveries(payloads: readonly string[], times: number): string[] {
  const list = payloads.flatMap((p) => Array.from({ length: times }, () => p));
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}
