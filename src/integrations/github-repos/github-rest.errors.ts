import { type IntegrationError, RateLimitedError } from '../../core/errors/integration.error';
import { parseRetryAfter } from '../../core/http/retry-after';
import type { UpstreamErrorResponse } from '../http-client/http-client.options';

/**
 * GitHub answers a spent primary rate limit with 403 (not 429) and
 * `x-ratelimit-remaining: 0`, saying when it resets in `x-ratelimit-reset`
 * (epoch seconds); secondary limits come as 403/429 with `retry-after`.
 * Both are rate limits, not refusals.
 */
export function mapGithubError(
  response: UpstreamErrorResponse,
  now: number = Date.now(),
): IntegrationError | undefined {
  if (response.status !== 403 && response.status !== 429) return undefined;
  const header = (name: string): string | undefined => {
    const value = response.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const remaining = header('x-ratelimit-remaining');
  const reset = header('x-ratelimit-reset');
  // Retry-After (seconds or an HTTP date, the one shared parser) first; else the primary limit's reset time.
  let retryAfterMs = parseRetryAfter(header('retry-after'), now);
  if (retryAfterMs === undefined && remaining === '0' && reset !== undefined && /^\d+$/.test(reset))
    retryAfterMs = Math.max(0, Number(reset) * 1000 - now);
  else if (retryAfterMs === undefined && response.status === 403) return undefined; // a real permission refusal
  return new RateLimitedError(`GitHub rate limit reached for ${response.operation}`, {
    provider: response.provider,
    operation: response.operation,
    upstreamStatus: response.status,
    retryAfterMs,
  });
}
