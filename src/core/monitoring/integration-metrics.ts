import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a provider call ended, as `integration_calls_total{outcome}` records it. */
export type CallOutcome = 'success' | 'error' | 'timeout' | 'rejected' | 'rate_limited' | 'circuit_open';

/** `integration_circuit_state` values. */
export const CIRCUIT_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
export type CircuitStateName = keyof typeof CIRCUIT_STATE_VALUE;

/**
 * The metrics of one provider operation with its label children resolved
 * once, so recording a call costs a few additions (no label lookup).
 */
export class OperationMetrics {
  private readonly outcomes = new Map<CallOutcome, Counter.Internal>();
  private readonly duration: Histogram.Internal<string>;
  private readonly retries: Counter.Internal;

  constructor(
    private readonly metrics: IntegrationMetrics,
    readonly provider: string,
    readonly operation: string,
  ) {
    this.duration = metrics.callDuration.labels(provider, operation);
    this.retries = metrics.retries.labels(provider, operation);
  }

  /** Records one finished call (all its attempts). */
  observe(outcome: CallOutcome, seconds: number): void {
    let counter = this.outcomes.get(outcome);
    if (counter === undefined) {
      counter = this.metrics.calls.labels(this.provider, this.operation, outcome);
      this.outcomes.set(outcome, counter);
    }
    counter.inc();
    this.duration.observe(seconds);
  }

  retried(): void {
    this.retries.inc();
  }

  rateLimitWait(seconds: number): void {
    this.metrics.rateLimitWait.labels(this.provider).observe(seconds);
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
    this.calls = new Counter({
      name: 'integration_calls_total',
      help: 'Provider calls by outcome (success, error, timeout, rejected, rate_limited, circuit_open)',
      labelNames: ['provider', 'operation', 'outcome'],
      registers,
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
