import { performance } from 'node:perf_hooks';
import { context } from '@opentelemetry/api';
import type { Logger } from '@nestjs/common';
import type { CallOutcome, OperationMetrics } from '../monitoring/integration-metrics';
import type { ProviderCallSpan, ProviderCallSpans } from '../tracing/provider-call-spans';
import { type CallContext, currentCallContext, runInCallContext } from './call-context';
import { outcomeOf } from './failure-classification';
import type { AttemptSignal, CallObserver, OperationPolicy } from './operation-policy';
import type { ResilientMetadata } from './resilient.decorator';

/** The call context of one attempt; its signal is created on first read. */
class AttemptContext implements CallContext {
  constructor(
    readonly provider: string,
    readonly operation: string,
    readonly attempt: number,
    readonly idempotencyKey: string | undefined,
    private readonly control: AttemptSignal,
  ) {}

  get signal(): AbortSignal {
    return this.control.signal;
  }

  get deadline(): number {
    return this.control.deadline;
  }
}

export type AnyMethod = (this: unknown, ...args: unknown[]) => unknown;

export interface WrapOptions {
  readonly provider: string;
  readonly operation: string;
  /** Absent: metrics and logs only (`@Monitored` alone). Called on the first call, then kept. */
  readonly policy?: () => OperationPolicy;
  readonly resilient?: ResilientMetadata;
  /** Absent: no `integration_calls_total`/duration (`@Resilient` alone). */
  readonly metrics?: OperationMetrics;
  /** Retries and rate-limit waits are recorded under the operation even without `@Monitored`. */
  readonly policyMetrics?: OperationMetrics;
  /** Absent: no spans (tracing off). One span per call, a child span per attempt. */
  readonly spans?: ProviderCallSpans;
  readonly logger: Logger;
  /** Whether debug lines are written at all (the per-call line is skipped otherwise: it is on the hot path). */
  readonly debug: boolean;
}

/**
 * Wraps one decorated method. The wrapper keeps `this`, the arguments and
 * the resolved value, and returns a promise (decorated methods are async).
 * Failures leave as the original error or as the resilience layer's
 * `IntegrationError`s. A call made while a call to the same provider is
 * running (an adapter method using another) runs inside the outer attempt:
 * the outer call's policy, tokens and metrics already cover it, and its own
 * timeout still applies when tighter than what is left of the outer attempt.
 */
export function wrapMethod(original: AnyMethod, options: WrapOptions): AnyMethod {
  const { provider, operation, metrics, logger, spans } = options;
  let resolved: OperationPolicy | undefined;
  const policyOf = (resolve: () => OperationPolicy): OperationPolicy => (resolved ??= resolve());
  const policyMetrics = options.policyMetrics ?? metrics;
  const keyOf = options.resilient?.idempotencyKey as ((...args: unknown[]) => string | undefined) | undefined;
  const idempotent = options.resilient?.idempotent !== false;
  const observer: CallObserver = {
    onRetry(error, attempt, delayMs) {
      policyMetrics?.retried();
      // `attempt` here is the upcoming attempt, counted from 1 like `attempts` in the call line.
      logger.warn(
        { provider, operation, attempt: attempt + 1, delayMs, err: error },
        `Retrying ${provider} ${operation} (attempt ${attempt + 1}) in ${delayMs} ms`,
      );
    },
    onRateLimitWait(waitedMs) {
      policyMetrics?.rateLimitWait(waitedMs / 1000);
    },
  };

  const record = (started: number, outcome: CallOutcome, error?: unknown, attempts?: number): void => {
    const seconds = (performance.now() - started) / 1000;
    metrics?.observe(outcome, seconds);
    if (outcome === 'success') {
      if (options.debug)
        logger.debug(
          { provider, operation, outcome, attempts, durationMs: seconds * 1000 },
          `${provider} ${operation} succeeded`,
        );
    } else if (outcome === 'error' || outcome === 'timeout') {
      logger.error(
        { provider, operation, outcome, attempts, durationMs: seconds * 1000, err: error },
        `${provider} ${operation} failed`,
      );
    } else {
      // Refused without reaching the provider, or a client error: expected under load, not an outage.
      logger.warn(
        { provider, operation, outcome, attempts, durationMs: seconds * 1000, err: error },
        `${provider} ${operation} refused (${outcome})`,
      );
    }
  };

  const observe = async (self: unknown, args: unknown[]): Promise<unknown> => {
    const started = performance.now();
    const span = spans?.start();
    try {
      const value = await (span === undefined
        ? original.apply(self, args)
        : context.with(span.context, () => original.apply(self, args)));
      record(started, 'success');
      span?.end('success', 1, undefined);
      return value;
    } catch (error) {
      const outcome = outcomeOf(error);
      record(started, outcome, error);
      span?.end(outcome, 1, undefined, error);
      throw error;
    }
  };

  const resolve = options.policy;
  if (resolve === undefined) {
    return function monitored(this: unknown, ...args: unknown[]): unknown {
      if (currentCallContext()?.provider === provider) return original.apply(this, args);
      return observe(this, args);
    };
  }

  /** Inside an outer attempt of the same provider: only a tighter timeout of ours is added. */
  const nested = (outer: CallContext, self: unknown, args: unknown[]): unknown => {
    const policy = policyOf(resolve);
    if (performance.now() + policy.settings.timeoutMs >= outer.deadline) return original.apply(self, args);
    return policy.timedOnce((control) =>
      runInCallContext(new AttemptContext(provider, operation, outer.attempt, outer.idempotencyKey, control), () =>
        original.apply(self, args),
      ),
    );
  };

  const protect = async (self: unknown, args: unknown[]): Promise<unknown> => {
    const policy = policyOf(resolve);
    const started = performance.now();
    const idempotencyKey = keyOf === undefined ? undefined : keyOf(...args);
    const retryAllowed = idempotent || idempotencyKey !== undefined;
    let attempts = 0;
    const span = spans?.start();
    try {
      const value = await policy.execute(
        (control, attempt) => {
          attempts = attempt + 1;
          const run = (): Promise<unknown> =>
            runInCallContext(new AttemptContext(provider, operation, attempt, idempotencyKey, control), () =>
              original.apply(self, args),
            );
          return span === undefined ? run() : span.attempt(attempt + 1, run, outcomeOf);
        },
        retryAllowed,
        span === undefined ? observer : tracedObserver(observer, span),
      );
      record(started, 'success', undefined, attempts);
      span?.end('success', attempts, policy.provider.circuit().state);
      return value;
    } catch (error) {
      const outcome = outcomeOf(error);
      record(started, outcome, error, attempts);
      span?.end(outcome, attempts, policy.provider.circuit().state, error);
      throw error;
    }
  };

  return function resilient(this: unknown, ...args: unknown[]): unknown {
    // Called from inside a call to the same provider (the adapter's client): the outer call's policy already applies.
    const outer = currentCallContext();
    if (outer?.provider === provider) return nested(outer, this, args);
    return protect(this, args);
  };
}

/** The call's observer, also marking each retry on the call span. */
function tracedObserver(observer: CallObserver, span: ProviderCallSpan): CallObserver {
  return {
    onRetry(error, attempt, delayMs) {
      observer.onRetry(error, attempt, delayMs);
      span.retrying(attempt + 1, delayMs);
    },
    onRateLimitWait: (waitedMs) => observer.onRateLimitWait(waitedMs),
  };
}
