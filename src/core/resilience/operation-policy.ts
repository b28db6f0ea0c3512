import { performance } from 'node:perf_hooks';
import { CircuitState, DelegateBackoff, type RetryPolicy, handleWhen, retry } from 'cockatiel';
import { ProviderTimeoutError, ProviderUnavailableError } from '../errors/integration.error';
import { BULKHEAD_FULL, CIRCUIT_OPEN, TIMED_OUT } from './failure-classification';
import type { ProviderPolicy } from './provider-policy';
import type { RateLimitGate } from './rate-limit-gate';
import { type RetrySettings, planRetry } from './retry-planner';

/**
 * The abort signal of one attempt, created only when someone asks for it:
 * an `AbortSignal` costs more than the rest of the pipeline together on
 * Node 20, and most attempts never need one.
 */
export class AttemptSignal {
  /** `performance.now()` at which the attempt times out (nested calls may only shorten it). */
  deadline = Number.POSITIVE_INFINITY;
  private controller?: AbortController;
  private reason?: unknown;
  private aborted = false;

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** One attempt of the decorated method, given its (lazy) abort signal and number (0 = first). */
export type Attempt<T> = (signal: AttemptSignal, attempt: number) => Promise<T>;

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
   * Runs `attempt` under the policy. Not `async`, and refusals are decided
   * before entering cockatiel's policies: every promise counts on the hot path.
   * @param retryAllowed false for a non-idempotent call without an idempotency key.
   * @throws (rejects with) the last attempt's error, or `ProviderUnavailableError`
   *   (circuit open, bulkhead full), `RateLimitedError`, `ProviderTimeoutError`.
   */
  execute<T>(attempt: Attempt<T>, retryAllowed: boolean, observer: CallObserver): Promise<T> {
    const { bulkhead } = this.provider;
    // The same condition under which cockatiel's bulkhead would reject.
    if (bulkhead.executionSlots <= 0 && bulkhead.queueSlots <= 0) return Promise.reject(this.bulkheadFull());
    return bulkhead.execute(() => this.limitThenBreak(attempt, retryAllowed, observer));
  }

  private limitThenBreak<T>(attempt: Attempt<T>, retryAllowed: boolean, observer: CallObserver): Promise<T> {
    const { gate } = this.provider;
    const operationGate = this.operationGate;
    if (gate === undefined && operationGate === undefined) return this.guarded(attempt, retryAllowed, observer);
    const first = (gate ?? operationGate) as RateLimitGate;
    const second = gate === undefined ? undefined : operationGate;
    return first.take(this.operation).then((waited): Promise<T> => {
      if (waited > 0) observer.onRateLimitWait(waited);
      if (second === undefined) return this.guarded(attempt, retryAllowed, observer);
      return second.take(this.operation).then((more) => {
        if (more > 0) observer.onRateLimitWait(more);
        return this.guarded(attempt, retryAllowed, observer);
      });
    });
  }

  private guarded<T>(attempt: Attempt<T>, retryAllowed: boolean, observer: CallObserver): Promise<T> {
    const { breaker } = this.provider;
    if (breaker === undefined) return this.attempts(attempt, retryAllowed, observer);
    const state = breaker.state;
    // Half-open: the probe is in flight; everyone else fails fast until it returns.
    if (state === CircuitState.HalfOpen) return Promise.reject(this.circuitOpen(1_000));
    if (state === CircuitState.Open || state === CircuitState.Isolated) {
      // Our clock starts when cockatiel's break event fires, never earlier than its own,
      // so "cool-down over" here means cockatiel lets the call through as the probe.
      const remaining = this.provider.remainingCooldownMs();
      if (remaining > 0 || state === CircuitState.Isolated) return Promise.reject(this.circuitOpen(remaining));
      // The probe: one attempt, no retries.
      return breaker.execute(() => this.attempts(attempt, false, observer));
    }
    return breaker.execute(() => this.attempts(attempt, retryAllowed, observer));
  }

  private attempts<T>(attempt: Attempt<T>, retryAllowed: boolean, observer: CallObserver): Promise<T> {
    if (this.retry === undefined || !retryAllowed) return this.timed(attempt, 0);
    const started = Date.now();
    return this.retry.execute(({ attempt: n }) =>
      this.timed(attempt, n, (error) => {
        const decision = planRetry(this.settings, error, n + 1, Date.now() - started);
        if (decision.retry && typeof error === 'object' && error !== null) {
          this.plannedDelay.set(error, decision.delayMs);
          observer.onRetry(error, n + 1, decision.delayMs);
        }
      }),
    );
  }

  /**
   * One attempt bounded by the timeout. On timeout the attempt's signal is
   * aborted (so a `fetch` given it stops) and the call fails with
   * `ProviderTimeoutError` even if the method ignores the signal.
   * `onFailure` sees the error before the promise rejects (retry planning).
   *
   * Not cockatiel's `TimeoutPolicy`: on Node 20 it adds 7–18 µs to every call
   * (EventTarget listeners, an abort on every return); this adds a timer.
   */
  /**
   * One attempt bounded by this operation's timeout, nothing else: a nested
   * call whose own timeout is tighter than what is left of the outer call.
   */
  timedOnce<T>(attempt: Attempt<T>): Promise<T> {
    return this.timed(attempt, 0);
  }

  private timed<T>(attempt: Attempt<T>, n: number, onFailure?: (error: unknown) => void): Promise<T> {
    const control = new AttemptSignal();
    control.deadline = performance.now() + this.settings.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      // A timed-out attempt may still fail later: only the first outcome counts.
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        onFailure?.(error);
        reject(error);
      };
      const timer = setTimeout(() => {
        const error = new ProviderTimeoutError(
          `${this.provider.provider} did not answer ${this.operation} within ${this.settings.timeoutMs} ms`,
          {
            provider: this.provider.provider,
            operation: this.operation,
            code: TIMED_OUT,
          },
        );
        fail(error);
        control.abort(error);
      }, this.settings.timeoutMs);
      attempt(control, n).then(
        (value) => {
          clearTimeout(timer);
          settled = true;
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          fail(error);
        },
      );
    });
  }

  private bulkheadFull(): ProviderUnavailableError {
    return new ProviderUnavailableError(`${this.provider.provider} has too many calls in flight`, {
      provider: this.provider.provider,
      operation: this.operation,
      code: BULKHEAD_FULL,
      retryAfterMs: 1_000,
    });
  }

  private circuitOpen(retryAfterMs: number): ProviderUnavailableError {
    return new ProviderUnavailableError(
      `${this.provider.provider} is unavailable: its circuit is open after repeated failures`,
      {
        provider: this.provider.provider,
        operation: this.operation,
        code: CIRCUIT_OPEN,
        retryAfterMs: Math.max(1, retryAfterMs),
      },
    );
  }
}
