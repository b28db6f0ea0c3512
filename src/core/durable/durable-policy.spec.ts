import { ProviderRejectedError, RateLimitedError } from '../errors/integration.error';
import { backoffDelay, describeError, failureOutcome, retryAfterOf } from './durable-policy';
import { PermanentFailure } from './durable.types';

const backoff = { baseMs: 1_000, capMs: 300_000 };
const options = { maxAttempts: 5, backoff };

describe(backoffDelay.name, () => {
  it('draws from [0, base·2^(attempt-1)) with full jitter', () => {
    expect(backoffDelay(1, backoff, () => 0)).toBe(0);
    expect(backoffDelay(1, backoff, () => 0.999)).toBe(999);
    expect(backoffDelay(2, backoff, () => 0.5)).toBe(1_000);
    expect(backoffDelay(4, backoff, () => 0.5)).toBe(4_000);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(backoffDelay(9, backoff, () => 0.999)).toBe(255_744);
    expect(backoffDelay(10, backoff, () => 0.999)).toBe(299_700);
    expect(backoffDelay(1_000, backoff, () => 0.999)).toBe(299_700);
  });

  it('stays within the window for real random numbers', () => {
    for (let attempt = 1; attempt <= 12; attempt += 1) {
      const delay = backoffDelay(attempt, backoff);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(backoff.capMs, backoff.baseMs * 2 ** (attempt - 1)));
    }
  });
});

describe(failureOutcome.name, () => {
  it('retries a plain failure after the jittered backoff', () => {
    expect(failureOutcome(new Error('boom'), 2, options, () => 0.25)).toEqual({
      status: 'pending',
      delayMs: 500,
      error: 'Error: boom',
    });
  });

  it('waits at least what the provider asked for (retryAfterMs)', () => {
    const error = new RateLimitedError('slow down', { provider: 'sendgrid', retryAfterMs: 30_000 });
    expect(failureOutcome(error, 1, options, () => 0.5)).toMatchObject({ status: 'pending', delayMs: 30_000 });
  });

  it('keeps the longer backoff when it exceeds retryAfterMs', () => {
    const error = new RateLimitedError('slow down', { provider: 'sendgrid', retryAfterMs: 10 });
    expect(failureOutcome(error, 4, options, () => 0.5)).toMatchObject({ status: 'pending', delayMs: 4_000 });
  });

  it('dead-letters after the last allowed attempt', () => {
    expect(failureOutcome(new Error('boom'), 5, options)).toEqual({ status: 'dead', error: 'Error: boom' });
  });

  it('dead-letters at once on PermanentFailure', () => {
    expect(failureOutcome(new PermanentFailure('bad address'), 1, options)).toEqual({
      status: 'dead',
      error: 'PermanentFailure: bad address',
    });
  });

  it('dead-letters at once when the queue classifies the error as permanent', () => {
    const rejected = new ProviderRejectedError('400 from SendGrid', { provider: 'sendgrid', httpStatus: 400 });
    const isPermanent = (error: unknown): boolean => error instanceof ProviderRejectedError;
    expect(failureOutcome(rejected, 1, { ...options, isPermanent }).status).toBe('dead');
    expect(failureOutcome(new Error('timeout'), 1, { ...options, isPermanent }).status).toBe('pending');
  });
});

describe(retryAfterOf.name, () => {
  it('reads a positive finite retryAfterMs and ignores anything else', () => {
    expect(retryAfterOf({ retryAfterMs: 1_500 })).toBe(1_500);
    expect(retryAfterOf({ retryAfterMs: -1 })).toBeUndefined();
    expect(retryAfterOf({ retryAfterMs: '10' })).toBeUndefined();
    expect(retryAfterOf(new Error('x'))).toBeUndefined();
    expect(retryAfterOf(null)).toBeUndefined();
  });
});

describe(describeError.name, () => {
  it('keeps name and message, never the stack', () => {
    const error = new TypeError('cannot read x');
    expect(describeError(error)).toBe('TypeError: cannot read x');
  });

  it('masks credentials that slipped into a message', () => {
    const text = describeError(
      new Error(
        'failed: password=hunter2 token: abc123 Authorization: Bearer sk_test_abcdefghij key SG.abcdefghij.klmnopqrstuv',
      ),
    );
    expect(text).not.toMatch(/hunter2|abc123|sk_test_abcdefghij|SG\.abcdefghij/);
    expect(text).toContain('failed:');
  });

  it('truncates long messages', () => {
    const text = describeError(new Error('x'.repeat(5_000)));
    expect(text.length).toBe(1_000);
    expect(text.endsWith('…')).toBe(true);
  });

  it('describes thrown non-errors', () => {
    expect(describeError('plain string')).toBe('Non-error thrown: plain string');
  });
});
