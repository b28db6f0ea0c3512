/**
 * One provider's resilience policy: what `@Resilient(provider)` applies.
 * The app resolves it per provider at call time from `ResilienceOptions`
 * (base values < `DEFAULT` overrides < the provider's profile < its own overrides).
 */
export interface PolicySettings {
  /** Timeout of one attempt, ms. The provider's only timeout: SDK-level timeouts are derived from it. */
  readonly timeoutMs: number;
  /** Attempts in total (1 = no retry). */
  readonly maxAttempts: number;
  /** No retry starts once this much time has passed since the first attempt, ms. */
  readonly maxTotalMs: number;
  /** Full-jitter backoff: the n-th retry waits random(0, min(cap, base·2^(n-1))) ms. */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Longest upstream `Retry-After` waited out before a retry, ms; a longer one ends the call. */
  readonly retryAfterMaxMs: number;
  /** Breaker opens after this many consecutive failed calls (0 = off). */
  readonly breakerConsecutive: number;
  /** Breaker opens when failures exceed this share of calls in the window (0 = off). */
  readonly breakerRatio: number;
  readonly breakerWindowMs: number;
  /** Calls needed in the window before the ratio counts. */
  readonly breakerMinCalls: number;
  /** How long the breaker stays open before one probe call is let through, ms. */
  readonly breakerCooldownMs: number;
  /** Calls per second to the provider (token bucket; 0 = unlimited). */
  readonly ratePerSec: number;
  /** Longest a call waits for a token before failing with 429, ms. */
  readonly rateMaxWaitMs: number;
  /** Calls that may wait for a token at once; beyond that, 429 at once. */
  readonly rateMaxQueue: number;
  /** Concurrent calls to the provider. */
  readonly bulkheadLimit: number;
  /** Calls waiting for a concurrency slot; beyond that, 503 at once. */
  readonly bulkheadQueue: number;
}

/** What one operation may set apart from its provider. */
export type OperationSettingsOverride = Partial<Pick<PolicySettings, 'timeoutMs' | 'maxAttempts'>>;

/**
 * A provider's own settings, declared by its module: known limits of the
 * vendor, and values bound to the module's config (`FORECAST_TIMEOUT_MS`),
 * plus per-operation settings keyed by operation name (`forecast.get`).
 */
export interface ProviderProfile extends Partial<PolicySettings> {
  readonly operations?: Readonly<Record<string, OperationSettingsOverride>>;
}

/** Used for every provider unless something more specific is set. */
export const BASE_POLICY: PolicySettings = {
  timeoutMs: 10_000,
  maxAttempts: 3,
  maxTotalMs: 30_000,
  backoffBaseMs: 200,
  backoffCapMs: 5_000,
  retryAfterMaxMs: 10_000,
  breakerConsecutive: 5,
  breakerRatio: 0.5,
  breakerWindowMs: 30_000,
  breakerMinCalls: 20,
  breakerCooldownMs: 30_000,
  ratePerSec: 50,
  rateMaxWaitMs: 2_000,
  rateMaxQueue: 100,
  bulkheadLimit: 20,
  bulkheadQueue: 100,
};

/** `github-api` → `GITHUB_API`: the segment a provider's operator overrides use. */
export function providerSegment(provider: string): string {
  return provider.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}
