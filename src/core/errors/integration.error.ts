/**
 * Errors raised by provider adapters. Each says which provider and operation
 * failed, whether trying again could help (`retryable`), how long to wait
 * (`retryAfterMs`), what the upstream answered (`upstreamStatus`), and which
 * HTTP status our API answers with (`httpStatus`). The global filter turns
 * them into problem+json; the resilience layer reads `retryable`.
 */
export interface IntegrationErrorOptions {
  readonly provider: string;
  readonly operation?: string;
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;
  readonly upstreamStatus?: number;
  readonly cause?: unknown;
  /** A stable machine-readable code (e.g. Stripe's `card_declined`). */
  readonly code?: string;
  /** Extra safe-to-show fields for the problem body (e.g. `param`, `decline_code`). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** What the provider answered (truncated): for the log only, never for the problem body. */
  readonly upstreamBody?: string;
  /** The provider's id for the failed request (its `x-request-id` or similar), for the log. */
  readonly upstreamRequestId?: string;
}

export abstract class IntegrationError extends Error {
  /** Status our API answers with. */
  abstract readonly httpStatus: number;
  /** Short, stable title for the problem body. */
  abstract readonly title: string;
  /** Problem type slug; becomes `https://portico.dev/problems/<slug>`. */
  abstract readonly slug: string;

  readonly provider: string;
  readonly operation: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly upstreamStatus?: number;
  readonly code?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** Log-only: an upstream body may echo hosts, credentials or our own request. */
  readonly upstreamBody?: string;
  readonly upstreamRequestId?: string;

  protected constructor(message: string, options: IntegrationErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.provider = options.provider;
    this.operation = options.operation ?? 'unknown';
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.upstreamStatus = options.upstreamStatus;
    this.code = options.code;
    this.details = options.details;
    this.upstreamBody = options.upstreamBody;
    this.upstreamRequestId = options.upstreamRequestId;
  }
}

/** The provider has no credentials configured; the message names the variables to set. */
export class ProviderNotConfiguredError extends IntegrationError {
  readonly httpStatus = 503;
  readonly title = 'Provider not configured';
  readonly slug = 'provider-not-configured';

  constructor(
    provider: string,
    readonly variables: readonly string[],
    operation?: string,
  ) {
    super(`${provider} is not configured: set ${variables.join(', ')}`, { provider, operation, retryable: false });
  }
}

/** Breaker open, upstream down or answering 5xx after our retries. */
export class ProviderUnavailableError extends IntegrationError {
  readonly httpStatus = 503;
  readonly title = 'Provider unavailable';
  readonly slug = 'provider-unavailable';

  constructor(message: string, options: IntegrationErrorOptions) {
    super(message, { retryable: true, ...options });
  }
}

/** Our own or the provider's rate limit was hit and waiting longer was not allowed. */
export class RateLimitedError extends IntegrationError {
  readonly httpStatus = 429;
  readonly title = 'Rate limited';
  readonly slug = 'rate-limited';

  constructor(message: string, options: IntegrationErrorOptions) {
    super(message, { retryable: true, ...options });
  }
}

/** The provider did not answer in time. */
export class ProviderTimeoutError extends IntegrationError {
  readonly httpStatus = 504;
  readonly title = 'Provider timed out';
  readonly slug = 'provider-timeout';

  constructor(message: string, options: IntegrationErrorOptions) {
    super(message, { retryable: true, ...options });
  }
}

/**
 * The provider refused the request (a 4xx of its own). `httpStatus` is what
 * the adapter decides the caller should see: 402 for a declined card, 400/422
 * for invalid parameters, 502 when the refusal is our misconfiguration.
 */
export class ProviderRejectedError extends IntegrationError {
  readonly title: string;
  readonly slug = 'provider-rejected';
  readonly httpStatus: number;

  constructor(message: string, options: IntegrationErrorOptions & { httpStatus?: number; title?: string }) {
    super(message, { retryable: false, ...options });
    this.httpStatus = options.httpStatus ?? 502;
    this.title = options.title ?? 'Provider rejected the request';
  }
}

/** Anything else that went wrong talking to the provider (network error, 5xx, bad answer). */
export class ProviderFailedError extends IntegrationError {
  readonly httpStatus = 502;
  readonly title = 'Provider call failed';
  readonly slug = 'provider-failed';

  constructor(message: string, options: IntegrationErrorOptions) {
    super(message, options);
  }
}

export function isIntegrationError(error: unknown): error is IntegrationError {
  return error instanceof IntegrationError;
}
