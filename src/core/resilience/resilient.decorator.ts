import { SetMetadata } from '@nestjs/common';

export const RESILIENT = 'portico:resilient';

/** Per-operation overrides of the provider's policy (all optional). */
export interface ResilienceOverrides {
  /** Timeout of one attempt, ms. */
  readonly timeoutMs?: number;
  /** Attempts in total (1 = no retry). */
  readonly maxAttempts?: number;
  /**
   * Whether repeating the call is harmless. Non-idempotent calls (creating a
   * payment, sending an email) are retried only when `idempotencyKey`
   * returns a key for the call. Defaults to true.
   */
  readonly idempotent?: boolean;
  /** Extracts the call's idempotency key from its arguments. */
  readonly idempotencyKey?: (...args: never[]) => string | undefined;
  /** Rate-limit bucket of its own (e.g. `paymentIntents.create`), besides the provider's. */
  readonly rateLimitKey?: string;
}

export interface ResilientMetadata extends ResilienceOverrides {
  readonly provider: string;
}

/**
 * Puts a method (or every `async` method declared on a class) under the
 * provider's policy: bulkhead → rate limit → circuit breaker → retry →
 * timeout. Only stores metadata; the resilience explorer wraps the method
 * at start-up. A method decorator overrides the class decorator (whole
 * metadata, not field by field). Each attempt can read its abort signal
 * and idempotency key with `currentCallSignal()` / `currentCallContext()`.
 * Settings per provider: `RESILIENCE_<PROVIDER>_*` (see .env.example).
 *
 * @example
 * ```ts
 * @Resilient('stripe', { idempotent: false, idempotencyKey: (input: CreateIntent) => input.idempotencyKey })
 * @Monitored('stripe', 'paymentIntents.create')
 * createIntent(input: CreateIntent): Promise<Intent> { ... }
 * ```
 */
export const Resilient = (provider: string, overrides: ResilienceOverrides = {}): MethodDecorator & ClassDecorator =>
  SetMetadata<string, ResilientMetadata>(RESILIENT, { provider, ...overrides });
