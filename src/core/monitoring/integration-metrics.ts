import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a provider call ended, as `integration_calls_total{outcome}` records it. */
export type CallOutcome = 'success' | 'error' | 'timeout' | 'rejected' | 'rate_limited' | 'circuit_open';

/** `integration_circuit_state` values. */
export const CIRCUIT_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
export type CircuitStateName = keyof typeof CIRCUIT_STATE_VALUE;

const OUTCOMES: readonly CallOutcome[] = ['success', 'error', 'timeout', 'rejected', 'rate_limited', 'circuit_open'];

/**
 * The metrics of one provider operation. Counts are kept in plain fields
 * and handed to prom-client when `/metrics` is scraped (its label children
 * hash their labels on every `inc`, too slow for every call); durations go
 * to a histogram child resolved once.
 */
export class OperationMetrics {
  private readonly pending = new Float64Array(OUTCOMES.length);
  private pendingRetries = 0;
  private readonly duration: Histogram.Internal<string>;

  constructor(
    private readonly metrics: IntegrationMetrics,
    readonly provider: string,
    readonly operation: string,
  ) {
    this.duration = metrics.callDuration.labels(provider, operation);
  }

  /** Records one finished call (all its attempts). */
  observe(outcome: CallOutcome, seconds: number): void {
    this.pending[OUTCOMES.indexOf(outcome)]++;
    this.duration.observe(seconds);
  }

  retried(): void {
    this.pendingRetries++;
  }

  rateLimitWait(seconds: number): void {
    this.metrics.rateLimitWait.labels(this.provider).observe(seconds);
  }

  /** Moves the counts recorded since the last scrape into prom-client. */
  flush(): void {
    for (let i = 0; i < OUTCOMES.length; i++) {
      if (this.pending[i] === 0) continue;
      this.metrics.calls.inc(
        { provider: this.provider, operation: this.operation, outcome: OUTCOMES[i] },
        this.pending[i],
      );
      this.pending[i] = 0;
    }
    if (this.pendingRetries > 0) {
      this.metrics.retries.inc({ provider: this.provider, operation: this.operation }, this.pendingRetries);
      this.pendingRetries = 0;
    }
  }
}

/** The `integration_*` metrics, registered on the app's registry. */
@Injectable()
export class IntegrationMetrics {
  readonly calls: Counter<'provider' | 'operation' | 'outcome'>;
  readonly callDuration: Histogram<'provider' | 'operation'>;
  readonly retries: Counter<'provider' | 'operation'>;
  readonly circuitState: Gauge<'provider'>;
  readonly rateLimitWait: Histogram<'provider'>;
  private readonly operations = new Map<string, OperationMetrics>();

  constructor(registry: Registry) {
    const registers = [registry];
    const flush = (): void => {
      for (const operation of this.operations.values()) operation.flush();
    };
    this.calls = new Counter({
      name: 'integration_calls_total',
      help: 'Provider calls by outcome (success, error, timeout, rejected, rate_limited, circuit_open)',
      labelNames: ['provider', 'operation', 'outcome'],
      registers,
      collect: flush,
    });
    this.callDuration = new Histogram({
      name: 'integration_call_duration_seconds',
      help: 'Duration of provider calls, all attempts and waits included',
      labelNames: ['provider', 'operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.retries = new Counter({
      name: 'integration_retries_total',
      help: 'Retries of provider calls (attempts after the first)',
      labelNames: ['provider', 'operation'],
      registers,
      collect: flush,
    });
    this.circuitState = new Gauge({
      name: 'integration_circuit_state',
      help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider'],
      registers,
    });
    this.rateLimitWait = new Histogram({
      name: 'integration_rate_limit_wait_seconds',
      help: 'Time calls waited for a rate-limit token',
      labelNames: ['provider'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
  }

  /** The (cached) metrics of one operation. */
  forOperation(provider: string, operation: string): OperationMetrics {
    const key = `${provider}\u0000${operation}`;
    let metrics = this.operations.get(key);
    if (metrics === undefined) {
      metrics = new OperationMetrics(this, provider, operation);
      this.operations.set(key, metrics);
    }
    return metrics;
  }

  setCircuitState(provider: string, state: CircuitStateName): void {
    this.circuitState.labels(provider).set(CIRCUIT_STATE_VALUE[state]);
  }
}
