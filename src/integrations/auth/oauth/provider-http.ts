import {
  ProviderFailedError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../../core/errors/integration.error';

/**
 * GET a provider's JSON API with a bearer token, turning every way it can
 * fail into our IntegrationErrors (retryable for network errors, 5xx and 429).
 * The token goes in the Authorization header, never in the URL (URLs end up in logs).
 */
export async function getProviderJson(
  provider: string,
  operation: string,
  url: string,
  accessToken: string,
  headers: Record<string, string> = {},
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { ...headers, Authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw new ProviderUnavailableError(`${provider} ${operation} could not be reached`, { provider, operation, cause });
  }
  const retryAfter = Number(res.headers.get('retry-after'));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  if (res.status === 429 || (res.status === 403 && res.headers.get('x-ratelimit-remaining') === '0')) {
    throw new RateLimitedError(`${provider} ${operation} is rate limited`, {
      provider,
      operation,
      upstreamStatus: res.status,
      retryAfterMs,
    });
  }
  if (res.status >= 500)
    throw new ProviderUnavailableError(`${provider} ${operation} answered ${res.status}`, {
      provider,
      operation,
      upstreamStatus: res.status,
      retryAfterMs,
    });
  if (!res.ok)
    throw new ProviderRejectedError(`${provider} ${operation} answered ${res.status}`, {
      provider,
      operation,
      upstreamStatus: res.status,
      httpStatus: 502,
    });
  try {
    return await res.json();
  } catch (cause) {
    throw new ProviderFailedError(`${provider} ${operation} answered invalid JSON`, { provider, operation, cause });
  }
}
