import {
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../../core/errors/integration.error';
import { fieldErrorsOf, retryAfterMsOf, toIntegrationError } from './sendgrid-errors';

/** What @sendgrid/helpers' ResponseError looks like. */
function responseError(code: number, body: unknown, headers: Record<string, string> = {}): object {
  return Object.assign(new Error('Bad Request'), { code, response: { headers, body } });
}

describe('toIntegrationError', () => {
  it('flattens SendGrid errors[] into field + message and does not retry a 400', () => {
    const error = toIntegrationError(
      responseError(400, {
        errors: [
          { message: 'The from address does not match a verified Sender Identity.', field: 'from', help: null },
          { message: 'bad', field: null },
        ],
      }),
      'mail.send',
    );
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error.retryable).toBe(false);
    expect(error.upstreamStatus).toBe(400);
    expect(error.details).toEqual({
      errors: [
        { field: 'from', message: 'The from address does not match a verified Sender Identity.' },
        { field: null, message: 'bad' },
      ],
    });
    expect(error.message).toContain('from: The from address does not match');
  });

  it.each([401, 403, 413])('does not retry %i', (status) => {
    const error = toIntegrationError(responseError(status, {}), 'mail.send');
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error.retryable).toBe(false);
  });

  it('retries a 429 after the Retry-After SendGrid asked for', () => {
    const error = toIntegrationError(
      responseError(429, { errors: [{ message: 'too many requests' }] }, { 'retry-after': '7' }),
      'mail.send',
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7000);
  });

  it('retries 5xx', () => {
    for (const status of [500, 502, 503]) {
      const error = toIntegrationError(responseError(status, 'oops'), 'mail.send');
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect(error.retryable).toBe(true);
    }
  });

  it('treats a timeout and a refused connection as retryable', () => {
    expect(
      toIntegrationError(Object.assign(new Error('timeout of 100ms exceeded'), { code: 'ECONNABORTED' }), 'mail.send'),
    ).toBeInstanceOf(ProviderTimeoutError);
    const refused = toIntegrationError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'mail.send',
    );
    expect(refused).toBeInstanceOf(ProviderUnavailableError);
    expect(refused.retryable).toBe(true);
  });
});

describe('retryAfterMsOf', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads Retry-After seconds, an HTTP date, or X-RateLimit-Reset', () => {
    expect(retryAfterMsOf({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMsOf({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMsOf({ 'x-ratelimit-reset': String(now / 1000 + 12) }, now)).toBe(12_000);
    expect(retryAfterMsOf({}, now)).toBeUndefined();
  });
});

describe('fieldErrorsOf', () => {
  it('returns nothing for bodies without errors[]', () => {
    expect(fieldErrorsOf(undefined)).toEqual([]);
    expect(fieldErrorsOf({ errors: 'nope' })).toEqual([]);
  });
});
