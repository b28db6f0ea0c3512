import { RateLimitedError } from '../../core/errors/integration.error';
import { mapGithubError } from './github-rest.errors';

const response = (status: number, headers: Record<string, string>) => ({
  provider: 'github-rest',
  operation: 'GET',
  status,
  headers,
  body: '{}',
});
const now = Date.parse('2026-11-27T10:00:00Z');

describe(mapGithubError.name, () => {
  it('reads a spent primary limit (403, remaining 0) as a rate limit until the reset', () => {
    const error = mapGithubError(
      response(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 90) }),
      now,
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 90_000, upstreamStatus: 403 });
  });

  it('reads a secondary limit (retry-after) as a rate limit', () => {
    expect(mapGithubError(response(403, { 'retry-after': '30' }), now)).toMatchObject({ retryAfterMs: 30_000 });
    expect(mapGithubError(response(429, {}), now)).toBeInstanceOf(RateLimitedError);
  });

  it('leaves a real permission refusal and other statuses to the default mapping', () => {
    expect(mapGithubError(response(403, { 'x-ratelimit-remaining': '4999' }), now)).toBeUndefined();
    expect(mapGithubError(response(404, {}), now)).toBeUndefined();
  });
});
