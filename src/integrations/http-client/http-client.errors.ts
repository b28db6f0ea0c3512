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
}

/** Upstream statuses our API passes on as they are; other 4xx mean our request was wrong (502). */
const PASSED_ON = new Set([404, 409, 410]);

/**
 * Maps a non-2xx answer: 408, 429 and 5xx are retryable (429 → 429
 * `RateLimitedError`, 503 → 503 `ProviderUnavailableError`, others → 502
 * `ProviderFailedError`); other 4xx are `ProviderRejectedError` (404, 409,
 * 410 passed on, the rest 502). The upstream body is kept, truncated.
 */
export function errorForStatus(answer: UpstreamAnswer): IntegrationError {
  const { provider, operation, status, retryAfterMs } = answer;
  const base = {
    provider,
    operation,
    upstreamStatus: status,
    retryAfterMs,
    details: { upstreamStatus: status, upstreamBody: answer.body },
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
