import { PermanentFailure } from './durable.types';

export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
}

/** What to do with a row whose handler failed. */
export type FailureOutcome =
  | { readonly status: 'dead'; readonly error: string }
  | { readonly status: 'pending'; readonly delayMs: number; readonly error: string };

const MAX_ERROR_LENGTH = 1_000;

/**
 * Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff
 * And Jitter"): random(0, min(cap, base·2^(attempt-1))). Jitter spreads the
 * retries of many rows that failed together, e.g. while a provider was down.
 * `attempt` is the attempt that just failed (1 for the first).
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** A provider's own "retry after" hint (IntegrationError.retryAfterMs), when the error carries one. */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('retryAfterMs' in error)) return undefined;
  const value = error.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Decides between retry and dead-letter. A row is dead after its last allowed
 * attempt, on `PermanentFailure`, or when the queue's `isPermanent` says so;
 * otherwise it waits the jittered backoff, and at least what the provider asked.
 */
export function failureOutcome(
  error: unknown,
  attempts: number,
  options: {
    readonly maxAttempts: number;
    readonly backoff: Backoff;
    readonly isPermanent?: (error: unknown) => boolean;
  },
  random: () => number = Math.random,
): FailureOutcome {
  const message = describeError(error);
  if (error instanceof PermanentFailure || options.isPermanent?.(error) === true || attempts >= options.maxAttempts) {
    return { status: 'dead', error: message };
  }
  const delayMs = Math.max(backoffDelay(attempts, options.backoff, random), retryAfterOf(error) ?? 0);
  return { status: 'pending', delayMs, error: message };
}

const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[^\s,;]+/gi, '$1 [Redacted]'],
  [
    /\b(secret|password|passwd|token|api[-_]?key|authorization|signature)(["']?\s*[=:]\s*["']?)[^\s"',;&]+/gi,
    '$1$2[Redacted]',
  ],
  [/\b(sk|rk|whsec)_(live|test)?_?[A-Za-z0-9]{8,}/g, '[Redacted]'],
  [/\bSG\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[Redacted]'],
];

/**
 * The text stored in `last_error`: error name and message only (no stack, no
 * cause, no payload), credentials masked, bounded in length.
 */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `Non-error thrown: ${String(error)}`;
  const masked = SECRET_PATTERNS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
  return masked.length > MAX_ERROR_LENGTH ? `${masked.slice(0, MAX_ERROR_LENGTH - 1)}…` : masked;
}
