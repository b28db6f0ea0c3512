import { isIntegrationError } from '../errors/integration.error';

export interface RetrySettings {
  readonly maxAttempts: number;
  readonly maxTotalMs: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly retryAfterMaxMs: number;
}

export type RetryDecision =
  { readonly retry: false; readonly reason: string } | { readonly retry: true; readonly delayMs: number };

/** Full jitter (AWS "Exponential Backoff and Jitter"): random(0, min(cap, base·2^(retry-1))). */
export function fullJitterDelay(settings: RetrySettings, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.backoffCapMs, settings.backoffBaseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Whether a failed attempt is tried again, and after how long.
 * `attemptsMade` counts attempts so far (1 after the first failure),
 * `elapsedMs` the time since the first attempt started. A `Retry-After`
 * from the provider is waited out when it is at most `retryAfterMaxMs`;
 * a longer one ends the call (its error carries the `Retry-After` on to
 * our caller). No retry starts past `maxTotalMs`.
 */
export function planRetry(
  settings: RetrySettings,
  error: unknown,
  attemptsMade: number,
  elapsedMs: number,
  random: () => number = Math.random,
): RetryDecision {
  if (!isIntegrationError(error) || !error.retryable) return { retry: false, reason: 'not retryable' };
  if (attemptsMade >= settings.maxAttempts) return { retry: false, reason: 'attempts exhausted' };
  if (error.retryAfterMs !== undefined && error.retryAfterMs > settings.retryAfterMaxMs) {
    // Waiting less than asked would only earn another refusal; the caller gets Retry-After instead.
    return { retry: false, reason: 'Retry-After beyond the longest wait' };
  }
  const delayMs =
    error.retryAfterMs === undefined
      ? fullJitterDelay(settings, attemptsMade, random)
      : Math.max(error.retryAfterMs, 0);
  if (elapsedMs + delayMs >= settings.maxTotalMs) return { retry: false, reason: 'retry time budget spent' };
  return { retry: true, delayMs };
}
