import {
  ProviderFailedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../core/errors/integration.error';
import { parseRetryAfter } from '../../core/http/retry-after';
import { errorForStatus, errorForTransport } from './http-client.errors';

describe(parseRetryAfter.name, () => {
  const now = Date.parse('2026-11-27T10:00:00Z');

  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe(errorForStatus.name, () => {
  const answer = (status: number, retryAfterMs?: number) => ({
    provider: 'acme',
    operation: 'GET',
    status,
    body: '{"message":"nope"}',
    retryAfterMs,
  });

  it.each([
    [429, RateLimitedError, 429],
    [503, ProviderUnavailableError, 503],
    [500, ProviderFailedError, 502],
    [502, ProviderFailedError, 502],
    [408, ProviderFailedError, 502],
  ])('%i is retryable (%p, answered %i)', (status, type, httpStatus) => {
    const error = errorForStatus(answer(status, 2_000));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({
      retryable: true,
      httpStatus,
      upstreamStatus: status,
      retryAfterMs: 2_000,
      provider: 'acme',
    });
  });

  it.each([
    [400, 502],
    [401, 502],
    [403, 502],
    [422, 502],
    [404, 404],
    [409, 409],
  ])('%i is a non-retryable rejection answered %i', (status, httpStatus) => {
    const error = errorForStatus(answer(status));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({
      retryable: false,
      httpStatus,
      details: { upstreamStatus: status },
      upstreamBody: '{"message":"nope"}',
    });
  });
});

describe(errorForTransport.name, () => {
  it('names the network error and makes it retryable', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const error = errorForTransport('acme', 'GET', new TypeError('fetch failed', { cause: reset }));
    expect(error).toBeInstanceOf(ProviderFailedError);
    expect(error).toMatchObject({ retryable: true, code: 'network_error' });
    expect(error.message).toContain('UND_ERR_SOCKET');
  });

  it('reports an aborted attempt as a timeout', () => {
    const controller = new AbortController();
    controller.abort();
    expect(errorForTransport('acme', 'GET', new Error('aborted'), controller.signal)).toBeInstanceOf(
      ProviderTimeoutError,
    );
  });
});
