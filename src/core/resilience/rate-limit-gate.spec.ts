import { Logger } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors/integration.error';
import { RateLimitGate } from './rate-limit-gate';

const gate = (options: { points: number; maxWaitMs: number; maxQueue: number }): RateLimitGate =>
  new RateLimitGate(new RateLimiterMemory({ points: options.points, duration: 1 }), {
    provider: 'fake',
    key: 'fake',
    maxWaitMs: options.maxWaitMs,
    maxQueue: options.maxQueue,
    logger: new Logger('test'),
  });

describe(RateLimitGate.name, () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('lets calls through at once while tokens last', async () => {
    const sut = gate({ points: 3, maxWaitMs: 5_000, maxQueue: 10 });
    await expect(Promise.all([sut.take('op'), sut.take('op'), sut.take('op')])).resolves.toEqual([0, 0, 0]);
  });

  it('makes a call wait for the next window, then lets it through', async () => {
    const sut = gate({ points: 2, maxWaitMs: 5_000, maxQueue: 10 });
    await sut.take('op');
    await sut.take('op');
    let waited: number | undefined;
    const third = sut.take('op').then((ms) => (waited = ms));
    await jest.advanceTimersByTimeAsync(500);
    expect(waited).toBeUndefined();
    await jest.advanceTimersByTimeAsync(600);
    await third;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThanOrEqual(1_100);
  });

  it('rejects with 429 and Retry-After when the next token comes after the max wait', async () => {
    const sut = gate({ points: 1, maxWaitMs: 300, maxQueue: 10 });
    await sut.take('op');
    const error = await sut.take('op').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ httpStatus: 429, code: 'rate_limited', provider: 'fake', operation: 'op' });
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(300);
  });

  it('waits while it can, then rejects once the queue of waiters is full', async () => {
    const sut = gate({ points: 1, maxWaitMs: 10_000, maxQueue: 2 });
    await sut.take('op');
    const waiting = [sut.take('op'), sut.take('op')];
    await expect(sut.take('op')).rejects.toMatchObject({
      code: 'rate_limited',
      message: expect.stringMatching(/already waiting/),
    });
    await jest.advanceTimersByTimeAsync(3_000);
    await expect(Promise.all(waiting)).resolves.toEqual([expect.any(Number), expect.any(Number)]);
  });
});
