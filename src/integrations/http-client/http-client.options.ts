import type { IncomingHttpHeaders } from 'node:http';
import type { IntegrationError } from '../../core/errors/integration.error';
import type { ProviderProfile } from '../../core/resilience/policy-settings';

/** How the client authenticates: a bearer token, a header of the API's choice, or a query parameter. */
export type HttpClientAuth =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'header'; readonly name: string; readonly value: string }
  | { readonly type: 'query'; readonly name: string; readonly value: string };

export interface HttpClientOptions {
  /** Base URL every path is resolved against (`https://api.github.com`). */
  readonly baseUrl: string;
  /** Unset: no credentials are sent. */
  readonly auth?: HttpClientAuth;
  /**
   * Set when the client lacks configuration (e.g. no token): every call
   * fails with `ProviderNotConfiguredError` (503) naming these variables,
   * and `/health/ready` shows the client `not_configured`.
   */
  readonly missingConfig?: readonly string[];
  /**
   * Timeout of one attempt, ms, usually bound to the module's config
   * (`FORECAST_TIMEOUT_MS`). It becomes the provider's timeout: calls of an
   * adapter decorated with the same provider name run under it too.
   * `RESILIENCE_<PROVIDER>_TIMEOUT_MS` still wins.
   */
  readonly timeoutMs?: number;
  /** More of the provider's settings from the module's config (attempts, per-operation values). */
  readonly resilience?: ProviderProfile;
  /** Values never repeated in an error (e.g. an OAuth client secret sent in a form); the auth credential always is redacted. */
  readonly secrets?: readonly string[];
  /** Headers sent with every request (`Accept`, `User-Agent`, API version headers). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Longest upstream error body kept in the error, characters (default 500). */
  readonly maxErrorBodyChars?: number;
  /** Send W3C `traceparent`/`tracestate` when tracing is on (default true); false for a service that rejects unknown headers. */
  readonly traceContext?: boolean;
  /**
   * Provider-specific error rules, consulted before the default mapping
   * (e.g. GitHub's 403 with `x-ratelimit-remaining: 0` is a rate limit).
   * Return undefined to keep the default.
   */
  readonly mapError?: (response: UpstreamErrorResponse) => IntegrationError | undefined;
}

/** A non-2xx answer as `mapError` sees it (body already truncated and redacted). */
export interface UpstreamErrorResponse {
  readonly provider: string;
  readonly operation: string;
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number | boolean>;

export interface HttpRequestOptions {
  /** Query parameters; undefined/null values are left out, arrays repeat the name. */
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as `application/x-www-form-urlencoded` (OAuth token endpoints) instead of `body`. */
  readonly form?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Sent as `Idempotency-Key`. POST and PATCH are retried only when one is
   * given (the API must honour it); GET, PUT and DELETE are always retryable.
   */
  readonly idempotencyKey?: string;
  /**
   * A caller's own token for this request (a signed-in user's provider token),
   * sent as `Authorization: Bearer` instead of the client's credential and
   * redacted like it. The call then needs no client credential of its own.
   */
  readonly bearerToken?: string;
}

/** What a named client is registered with. */
export interface HttpClientRegistration extends HttpClientOptions {
  /** Provider name: resilience policy, metrics label, health entry, injection token. */
  readonly name: string;
}
