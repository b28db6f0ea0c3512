import { ProviderFailedError, ProviderRejectedError, RateLimitedError } from '../errors/integration.error';
import { type RetrySettings, fullJitterDelay, planRetry } from './retry-planner';

const settings: RetrySettings = {
  maxAttempts: 4,
  maxTotalMs: 10_000,
  backoffBaseMs: 100,
  backoffCapMs: 1_000,
  retryAfterMaxMs: 2_000,
};
const failed = (retryAfterMs?: number): ProviderFailedError =>
  new ProviderFailedError('boom', { provider: 'p', retryable: true, upstreamStatus: 503, retryAfterMs });

describe(planRetry.name, () => {
  it('keeps full-jitter delays within [0, min(cap, base·2^(n-1)))', () => {
    for (let retry = 1; retry <= 8; retry++) {
      const ceiling = Math.min(1_000, 100 * 2 ** (retry - 1));
      for (let i = 0; i < 200; i++) {
        const delay = fullJitterDelay(settings, retry);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
      expect(fullJitterDelay(settings, retry, () => 0.999999)).toBe(ceiling - 1);
      expect(fullJitterDelay(settings, retry, () => 0)).toBe(0);
    }
  });

  it('retries a retryable error until the attempts are used up', () => {
    expect(planRetry(settings, failed(), 1, 0)).toMatchObject({ retry: true });
    expect(planRetry(settings, failed(), 3, 0)).toMatchObject({ retry: true });
    expect(planRetry(settings, failed(), 4, 0)).toEqual({ retry: false, reason: 'attempts exhausted' });
  });

  it('never retries non-retryable or unknown errors', () => {
    const rejected = new ProviderRejectedError('bad request', { provider: 'p', upstreamStatus: 400, httpStatus: 400 });
    expect(planRetry(settings, rejected, 1, 0)).toEqual({ retry: false, reason: 'not retryable' });
    expect(planRetry(settings, new TypeError('bug'), 1, 0)).toEqual({ retry: false, reason: 'not retryable' });
  });

  it('waits what Retry-After asks, up to retryAfterMaxMs; beyond that it gives up', () => {
    const limited = new RateLimitedError('slow down', { provider: 'p', retryAfterMs: 1_500 });
    expect(planRetry(settings, limited, 1, 0)).toEqual({ retry: true, delayMs: 1_500 });
    expect(planRetry(settings, failed(2_000), 1, 0)).toEqual({ retry: true, delayMs: 2_000 });
    expect(planRetry(settings, failed(60_000), 1, 0)).toEqual({
      retry: false,
      reason: 'Retry-After beyond the longest wait',
    });
  });

  it('starts no retry past the total time budget', () => {
    expect(planRetry(settings, failed(), 1, 9_999, () => 0)).toEqual({ retry: true, delayMs: 0 });
    expect(planRetry(settings, failed(), 1, 10_000, () => 0)).toEqual({
      retry: false,
      reason: 'retry time budget spent',
    });
    expect(planRetry(settings, failed(1_500), 1, 9_000)).toEqual({ retry: false, reason: 'retry time budget spent' });
  });
});
