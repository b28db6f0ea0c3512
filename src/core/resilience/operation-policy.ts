import { BrokenCircuitError, BulkheadRejectedError, CircuitState, DelegateBackoff, type RetryPolicy, handleWhen, retry } from 'cockatiel';
import { ProviderTimeoutError, ProviderUnavailableError } from '../errors/integration.error';
import { BULKHEAD_FULL, CIRCUIT_OPEN, TIMED_OUT } from './failure-classification';
import type { ProviderPolicy } from './provider-policy';
import type { RateLimitGate } from './rate-limit-gate';
import { type RetrySettings, planRetry } from './retry-planner';

/** One attempt of the decorated method, given its abort signal and number (0 = first). */
export type Attempt<T> = (signal: AbortSignal, attempt: number) => Promise<T>;

/** Per-call facts the policy reports back (metrics, logs). */
export interface CallObserver {
  onRetry(error: unknown, attempt: number, delayMs: number): void;
  onRateLimitWait(waitedMs: number): void;
}

export interface OperationSettings extends RetrySettings {
  readonly timeoutMs: number;
}

/**
 * The pipeline of one operation: bulkhead → rate limit → breaker → retry →
 * timeout → call. The bulkhead, provider bucket and breaker are the
 * provider's (shared by all its operations); retry and timeout follow the
 * operation's overrides. Built once per operation, used by every call.
 *
 * Why this order: the bulkhead bounds what waits anywhere below it; tokens
 * are taken once per call (retries of one call do not queue again behind
 * new calls); the breaker sees one outcome per call, after retries, so a
 * single flaky attempt does not count; the timeout bounds each attempt.
 */
export class OperationPolicy {
  private readonly retry?: RetryPolicy;
  /** Delay chosen for the next retry, keyed by the error that caused it (read by the backoff). */
  private readonly plannedDelay = new WeakMap<object, number>();

  constructor(
    readonly provider: ProviderPolicy,
    readonly operation: string,
    readonly settings: OperationSettings,
    private readonly operationGate?: RateLimitGate,
  ) {
    if (settings.maxAttempts > 1) {
      this.retry = retry(
        handleWhen((error) => this.plannedDelay.has(error)),
        {
          maxAttempts: settings.maxAttempts - 1,
          backoff: new DelegateBackoff<{ result: { error: Error } | { value: unknown } }>((context) => {
            const error = 'error' in context.result ? context.result.error : undefined;
            const delay = error === undefined ? 0 : (this.plannedDelay.get(error) ?? 0);
            if (error !== undefined) this.plannedDelay.delete(error);
            return delay;
          }),
        },
      );
    }
  }

  /**
   * Runs `attempt` under the policy.
   * @param retryAllowed false for a non-idempotent call without an idempotency key.
   * @throws the last attempt's error, or `ProviderUnavailableError` (circuit open,
   *   bulkhead full), `RateLimitedError`, `ProviderTimeoutError`.
   */
  async execute<T>(attempt: Attempt<T>, retryAllowed: boolean, observer: CallObserver): Promise<T> {
    try {
      return await this.provider.bulkhead.execute(() => this.limitThenBreak(attempt, retryAllowed, observer));
    } catch (error) {
      if (error instanceof BulkheadRejectedError) {
        throw new ProviderUnavailableError(`${this.provider.provider} has too many calls in flight`, {
          provider: this.provider.provider,
          operation: this.operation,
          code: BULKHEAD_FULL,
          retryAfterMs: 1_000,
        });
      }
      throw error;
    }
  }

  private async limitThenBreak<T>(attempt: Attempt<T>, retryAllowed: boolean, observer: CallObserver): Promise<T> {
    const { gate } = this.provider;
    if (gate !== undefined) {
      const waited = await gate.take(this.operation);
      if (waited > 0) observer.onRateLimitWait(waited);
    }
    if (this.operationGate !== undefined) {
      const waited = await this.operationGate.take(this.operation);
      if (waited > 0) observer.onRateLimitWait(waited);
    }
    const { breaker } = this.provider;
    if (breaker === undefined) return this.attempts(attempt, retryAllowed, observer);
    const state = breaker.state;
    if (state === CircuitState.HalfOpen) throw this.circuitOpen(1_000);
    // A call arriving after the cool-down is the probe: one attempt, no retries.
    const probe = state === CircuitState.Open;
    try {
      return await breaker.execute(() => this.attempts(attempt, retryAllowed && !probe, observer));
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.circuitOpen(this.provider.remainingCooldownMs());
      throw error;
    }
  }

  private attempts<T>(attempt: Attempt<T>, retryAllowed: boolean, observer: CallObserver): Promise<T> {
    if (this.retry === undefined || !retryAllowed) return this.timed(attempt, 0);
    const started = Date.now();
    return this.retry.execute(({ attempt: n }) =>
      this.timed(attempt, n).catch((error: unknown) => {
        const decision = planRetry(this.settings, error, n + 1, Date.now() - started);
        if (decision.retry && typeof error === 'object' && error !== null) {
          this.plannedDelay.set(error, decision.delayMs);
          observer.onRetry(error, n + 1, decision.delayMs);
        }
        throw error;
      }),
    );
  }

  /**
   * One attempt bounded by the timeout. On timeout the attempt's signal is
   * aborted (so a `fetch` given it stops) and the call fails with
   * `ProviderTimeoutError` even if the method ignores the signal.
   *
   * Not cockatiel's `TimeoutPolicy`: on Node 20 it adds 7–18 µs to every call
   * (EventTarget listeners, an abort on every return); this adds a timer.
   */
  private timed<T>(attempt: Attempt<T>, n: number): Promise<T> {
    const controller = new AbortController();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new ProviderTimeoutError(`${this.provider.provider} did not answer ${this.operation} within ${this.settings.timeoutMs} ms`, {
          provider: this.provider.provider,
          operation: this.operation,
          code: TIMED_OUT,
        });
        reject(error);
        controller.abort(error);
      }, this.settings.timeoutMs);
      attempt(controller.signal, n).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private circuitOpen(retryAfterMs: number): ProviderUnavailableError {
    return new ProviderUnavailableError(`${this.provider.provider} is unavailable: its circuit is open after repeated failures`, {
      provider: this.provider.provider,
      operation: this.operation,
      code: CIRCUIT_OPEN,
      retryAfterMs: Math.max(1, retryAfterMs),
    });
  }
}
