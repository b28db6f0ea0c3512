import {
  type IntegrationError,
  ProviderFailedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../core/errors/integration.error';

export interface UpstreamAnswer {
  readonly provider: string;
  readonly operation: string;
  readonly status: number;
  readonly body: string;
  readonly retryAfterMs?: number;
  /** The provider's request id header, when it sent one. */
  readonly requestId?: string;
}

/** Headers providers use for their own request id (GitHub, AWS, Stripe-like, generic). */
const REQUEST_ID_HEADERS = [
  'x-request-id',
  'request-id',
  'x-github-request-id',
  'x-amzn-requestid',
  'x-amz-request-id',
];

/** The provider's request id from its answer headers, if any (kept short: it only goes to logs). */
export function upstreamRequestIdOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string' && text !== '') return text.slice(0, 128);
  }
  return undefined;
}

/** Upstream statuses our API passes on as they are; other 4xx mean our request was wrong (502). */
const PASSED_ON = new Set([404, 409, 410]);

/**
 * Maps a non-2xx answer: 408, 429 and 5xx are retryable (429 → 429
 * `RateLimitedError`, 503 → 503 `ProviderUnavailableError`, others → 502
 * `ProviderFailedError`); other 4xx are `ProviderRejectedError` (404, 409,
 * 410 passed on, the rest 502). The upstream body and request id go to the
 * error's log-only fields, never into `details` (which the problem body shows).
 */
export function errorForStatus(answer: UpstreamAnswer): IntegrationError {
  const { provider, operation, status, retryAfterMs } = answer;
  const base = {
    provider,
    operation,
    upstreamStatus: status,
    retryAfterMs,
    details: { upstreamStatus: status },
    upstreamBody: answer.body,
    upstreamRequestId: answer.requestId,
  };
  const message = `${provider} answered ${status} to ${operation}`;
  if (status === 429) return new RateLimitedError(message, { ...base, retryable: true });
  if (status === 503) return new ProviderUnavailableError(message, { ...base, retryable: true });
  if (status === 408 || status >= 500) return new ProviderFailedError(message, { ...base, retryable: true });
  return new ProviderRejectedError(message, { ...base, httpStatus: PASSED_ON.has(status) ? status : 502 });
}

/** A request that never got an answer: connection refused or reset, DNS, TLS, or our abort. */
export function errorForTransport(
  provider: string,
  operation: string,
  error: unknown,
  signal?: AbortSignal,
): IntegrationError {
  if (signal?.aborted) {
    return new ProviderTimeoutError(`${provider} did not answer ${operation} in time`, {
      provider,
      operation,
      cause: error,
    });
  }
  const code = transportCode(error);
  return new ProviderFailedError(`${provider} could not be reached for ${operation} (${code})`, {
    provider,
    operation,
    retryable: true,
    cause: error,
    code: 'network_error',
  });
}

function transportCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.name : 'unknown error';
}
