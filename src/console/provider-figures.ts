import type { Registry } from 'prom-client';

/** Cumulative call figures of one provider, summed over its operations, as the registry holds them. */
export interface ProviderTotals {
  /** Finished calls by outcome (`success`, `error`, `timeout`, …). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Cumulative histogram bucket counts by upper bound in seconds (`+Inf` included). */
  readonly buckets: ReadonlyMap<number, number>;
}

/** Every provider's totals and breaker state, read at one moment. */
export interface MetricsReading {
  readonly totals: ReadonlyMap<string, ProviderTotals>;
  /** `closed` | `half_open` | `open` by provider (from `integration_circuit_state`). */
  readonly breakers: ReadonlyMap<string, BreakerState>;
}

export type BreakerState = 'closed' | 'half_open' | 'open';

/** What the console shows for one provider over the window. */
export interface ProviderFigures {
  /** Calls per minute over the window; null before a window has elapsed. */
  readonly callsPerMinute: number | null;
  /** Share of calls in the window that did not succeed (0–1); null when there were none. */
  readonly errorRate: number | null;
  /** 95th percentile call duration in the window (ms), interpolated within its bucket; null when there were none. */
  readonly p95Ms: number | null;
  readonly callsTotal: number;
  readonly errorsTotal: number;
}

const CALLS = 'integration_calls_total';
const DURATION = 'integration_call_duration_seconds';
const CIRCUIT = 'integration_circuit_state';
const BREAKER_BY_VALUE: readonly BreakerState[] = ['closed', 'half_open', 'open'];

/**
 * Reads the `integration_*` metrics from prom-client's objects (their `get()`
 * runs the same collect hooks a scrape does), not from the exposition text.
 */
export async function readMetrics(registry: Registry): Promise<MetricsReading> {
  const totals = new Map<string, { outcomes: Record<string, number>; buckets: Map<number, number> }>();
  const entry = (provider: string) => {
    let found = totals.get(provider);
    if (found === undefined) {
      found = { outcomes: {}, buckets: new Map() };
      totals.set(provider, found);
    }
    return found;
  };
  for (const value of (await registry.getSingleMetric(CALLS)?.get())?.values ?? []) {
    const { provider, outcome } = value.labels;
    if (typeof provider !== 'string' || typeof outcome !== 'string') continue;
    const outcomes = entry(provider).outcomes;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + value.value;
  }
  for (const value of (await registry.getSingleMetric(DURATION)?.get())?.values ?? []) {
    const { provider, le } = value.labels;
    if (!('metricName' in value) || value.metricName !== `${DURATION}_bucket` || typeof provider !== 'string') continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    const buckets = entry(provider).buckets;
    buckets.set(bound, (buckets.get(bound) ?? 0) + value.value);
  }
  const breakers = new Map<string, BreakerState>();
  for (const value of (await registry.getSingleMetric(CIRCUIT)?.get())?.values ?? []) {
    const { provider } = value.labels;
    if (typeof provider === 'string') breakers.set(provider, BREAKER_BY_VALUE[value.value] ?? 'closed');
  }
  return { totals, breakers };
}

interface Sample {
  readonly at: number;
  readonly totals: ReadonlyMap<string, ProviderTotals>;
}

/**
 * Turns cumulative counters into rates over a sliding window: it keeps the
 * readings it was given (at most one a second) and compares the newest with
 * the newest one at least `windowMs` old (or, early on, the oldest one, which
 * starts as the all-zero reading of a fresh registry).
 */
export class ProviderFiguresWindow {
  private samples: Sample[];

  constructor(
    private readonly windowMs: number,
    startedAt: number,
  ) {
    this.samples = [{ at: startedAt, totals: new Map() }];
  }

  /** Records `totals` taken at `now`; returns each provider's figures and the window's length in seconds. */
  add(
    now: number,
    totals: ReadonlyMap<string, ProviderTotals>,
  ): { seconds: number; figures: Map<string, ProviderFigures> } {
    const base = this.baseline(now);
    const last = this.samples[this.samples.length - 1];
    if (now - last.at >= 1000) this.samples.push({ at: now, totals });
    const seconds = (now - base.at) / 1000;
    const figures = new Map<string, ProviderFigures>();
    for (const [provider, current] of totals) {
      figures.set(provider, figuresOf(current, base.totals.get(provider), seconds));
    }
    return { seconds, figures };
  }

  /** The newest sample at least a window old (older ones are dropped), else the oldest. */
  private baseline(now: number): Sample {
    let index = 0;
    for (let i = 0; i < this.samples.length; i++) if (now - this.samples[i].at >= this.windowMs) index = i;
    this.samples = this.samples.slice(index);
    return this.samples[0];
  }
}

function figuresOf(current: ProviderTotals, base: ProviderTotals | undefined, seconds: number): ProviderFigures {
  const callsTotal = sum(current.outcomes);
  const errorsTotal = callsTotal - (current.outcomes.success ?? 0);
  const calls = callsTotal - (base === undefined ? 0 : sum(base.outcomes));
  const errors = errorsTotal - (base === undefined ? 0 : sum(base.outcomes) - (base.outcomes.success ?? 0));
  const buckets = [...current.buckets].map(
    ([bound, count]) => [bound, count - (base?.buckets.get(bound) ?? 0)] as const,
  );
  return {
    callsPerMinute: seconds >= 1 ? round((calls / seconds) * 60, 2) : null,
    errorRate: calls > 0 ? round(errors / calls, 4) : null,
    p95Ms: quantileMs(buckets, 0.95),
    callsTotal,
    errorsTotal,
  };
}

/**
 * Prometheus' `histogram_quantile` over cumulative buckets: linear within the
 * bucket the rank falls in; in the `+Inf` bucket, the highest finite bound.
 */
export function quantileMs(buckets: ReadonlyArray<readonly [number, number]>, q: number): number | null {
  const sorted = [...buckets].sort(([a], [b]) => a - b);
  const total = sorted[sorted.length - 1]?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (bound === Infinity) return round(lowerBound * 1000, 1);
      const inBucket = count - lowerCount;
      const seconds = lowerBound + (bound - lowerBound) * (inBucket > 0 ? (rank - lowerCount) / inBucket : 1);
      return round(seconds * 1000, 1);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return round(lowerBound * 1000, 1);
}

function sum(record: Readonly<Record<string, number>>): number {
  return Object.values(record).reduce((a, b) => a + b, 0);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
