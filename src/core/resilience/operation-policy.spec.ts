import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { PolicySettings } from './policy-settings';
import {
  ProviderFailedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../errors/integration.error';
import { IntegrationMetrics } from '../monitoring/integration-metrics';
import type { AttemptSignal, CallObserver } from './operation-policy';
import { ResiliencePolicyRegistry } from './policy-registry';

const FAST: Partial<PolicySettings> = {
  timeoutMs: 1_000,
  maxAttempts: 3,
  maxTotalMs: 60_000,
  backoffBaseMs: 100,
  backoffCapMs: 1_000,
  retryAfterMaxMs: 5_000,
  breakerConsecutive: 0,
  breakerRatio: 0,
  breakerCooldownMs: 10_000,
  ratePerSec: 0,
  bulkheadLimit: 10,
  bulkheadQueue: 10,
};

function registryWith(settings: Partial<PolicySettings>, metrics?: IntegrationMetrics): ResiliencePolicyRegistry {
  return new ResiliencePolicyRegistry({ overrides: { FAKE: { ...FAST, ...settings } } }, metrics, null);
}

const unavailable = (): ProviderFailedError =>
  new ProviderFailedError('503 from upstream', { provider: 'fake', retryable: true, upstreamStatus: 503 });
const badRequest = (): ProviderRejectedError =>
  new ProviderRejectedError('400 from upstream', { provider: 'fake', upstreamStatus: 400, httpStatus: 400 });
const quietObserver = (): CallObserver & { retries: Array<{ attempt: number; delayMs: number }> } => {
  const retries: Array<{ attempt: number; delayMs: number }> = [];
  return {
    retries,
    onRetry: (_e, attempt, delayMs) => retries.push({ attempt, delayMs }),
    onRateLimitWait: () => undefined,
  };
};

/** Runs `promise` to completion while advancing fake time; returns its settled result. */
async function settle<T>(promise: Promise<T>, ms = 120_000): Promise<{ value?: T; error?: unknown }> {
  const result = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await jest.advanceTimersByTimeAsync(ms);
  return result;
}

describe('OperationPolicy', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  describe('retry', () => {
    it('makes at most maxAttempts attempts and fails with the last error', async () => {
      const policy = registryWith({ maxAttempts: 3 }).operation('fake', 'op');
      const call = jest.fn(async () => Promise.reject(unavailable()));
      const observer = quietObserver();
      const { error } = await settle(policy.execute(call, true, observer));
      expect(call).toHaveBeenCalledTimes(3);
      expect(error).toBeInstanceOf(ProviderFailedError);
      expect(observer.retries.map((r) => r.attempt)).toEqual([1, 2]);
      for (const [i, retry] of observer.retries.entries())
        expect(retry.delayMs).toBeLessThan(Math.min(1_000, 100 * 2 ** i));
    });

    it('returns the first successful attempt', async () => {
      const policy = registryWith({}).operation('fake', 'op');
      let n = 0;
      const call = jest.fn(async () => (++n < 3 ? Promise.reject(unavailable()) : 'ok'));
      await expect(settle(policy.execute(call, true, quietObserver()))).resolves.toEqual({ value: 'ok' });
      expect(call).toHaveBeenCalledTimes(3);
    });

    it('does not retry non-retryable errors', async () => {
      const policy = registryWith({}).operation('fake', 'op');
      const call = jest.fn(async () => Promise.reject(badRequest()));
      const { error } = await settle(policy.execute(call, true, quietObserver()));
      expect(error).toBeInstanceOf(ProviderRejectedError);
      expect(call).toHaveBeenCalledTimes(1);
    });

    it('does not retry when the call may not be repeated (non-idempotent without key)', async () => {
      const policy = registryWith({}).operation('fake', 'op');
      const call = jest.fn(async () => Promise.reject(unavailable()));
      await settle(policy.execute(call, false, quietObserver()));
      expect(call).toHaveBeenCalledTimes(1);
    });

    it('waits the Retry-After the provider asked for, and gives up when it is longer than allowed', async () => {
      const policy = registryWith({ retryAfterMaxMs: 3_000 }).operation('fake', 'op');
      const startedAt: number[] = [];
      const call = jest.fn(async () => {
        startedAt.push(Date.now());
        return startedAt.length === 1
          ? Promise.reject(new RateLimitedError('429', { provider: 'fake', retryAfterMs: 2_000 }))
          : Promise.reject(new RateLimitedError('429', { provider: 'fake', retryAfterMs: 60_000 }));
      });
      const { error } = await settle(policy.execute(call, true, quietObserver()));
      expect(startedAt[1] - startedAt[0]).toBe(2_000);
      expect(call).toHaveBeenCalledTimes(2);
      expect(error).toMatchObject({ httpStatus: 429, retryAfterMs: 60_000 });
    });

    it('starts no retry past maxTotalMs', async () => {
      const policy = registryWith({ maxAttempts: 10, maxTotalMs: 1_500, timeoutMs: 1_000 }).operation('fake', 'op');
      const call = jest.fn(async () =>
        Promise.reject(new ProviderFailedError('503', { provider: 'fake', retryable: true, retryAfterMs: 1_000 })),
      );
      await settle(policy.execute(call, true, quietObserver()));
      // attempts at 0 and 1000 ms; a third would start at 1000 + 1000 ≥ 1500
      expect(call).toHaveBeenCalledTimes(2);
    });
  });

  describe('timeout', () => {
    it('hands out an already aborted signal when asked for it only after the timeout', async () => {
      const policy = registryWith({ maxAttempts: 1, timeoutMs: 100 }).operation('fake', 'op');
      let control: AttemptSignal | undefined;
      const call = jest.fn(async (c: AttemptSignal) => {
        control = c;
        return new Promise<string>(() => undefined);
      });
      await settle(policy.execute(call, true, quietObserver()), 200);
      expect(control?.signal.aborted).toBe(true);
      expect(control?.signal.reason).toBeInstanceOf(ProviderTimeoutError);
    });

    it('fails a slow attempt with ProviderTimeoutError and aborts its signal', async () => {
      const policy = registryWith({ maxAttempts: 1, timeoutMs: 500 }).operation('fake', 'op');
      const signals: AbortSignal[] = [];
      const call = jest.fn(async (control: AttemptSignal) => {
        signals.push(control.signal);
        return new Promise<string>(() => undefined);
      });
      const { error } = await settle(policy.execute(call, true, quietObserver()), 600);
      expect(error).toBeInstanceOf(ProviderTimeoutError);
      expect((error as ProviderTimeoutError).httpStatus).toBe(504);
      expect(signals[0].aborted).toBe(true);
    });

    it('retries a timed-out attempt with a fresh signal', async () => {
      const policy = registryWith({ maxAttempts: 2, timeoutMs: 500 }).operation('fake', 'op');
      const signals: AbortSignal[] = [];
      const call = jest.fn(async (control: AttemptSignal) => {
        signals.push(control.signal);
        return signals.length === 1 ? new Promise<string>(() => undefined) : 'second';
      });
      await expect(settle(policy.execute(call, true, quietObserver()))).resolves.toEqual({ value: 'second' });
      expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    });
  });

  describe('circuit breaker', () => {
    const metricsRegistry = (): { registry: Registry; metrics: IntegrationMetrics } => {
      const registry = new Registry();
      return { registry, metrics: new IntegrationMetrics(registry) };
    };
    const circuitValue = async (registry: Registry): Promise<number | undefined> =>
      (await registry.getSingleMetric('integration_circuit_state')?.get())?.values.find(
        (v) => v.labels.provider === 'fake',
      )?.value;

    it('goes closed → open → half-open → closed, and open again on a failed probe', async () => {
      const { registry, metrics } = metricsRegistry();
      const resilience = registryWith({ maxAttempts: 3, breakerConsecutive: 2, breakerCooldownMs: 10_000 }, metrics);
      const policy = resilience.operation('fake', 'op');
      const failing = jest.fn(async () => Promise.reject(unavailable()));
      expect(await circuitValue(registry)).toBe(0);

      await settle(policy.execute(failing, true, quietObserver()));
      expect(resilience.circuit('fake')).toEqual({ state: 'closed' });
      await settle(policy.execute(failing, true, quietObserver()), 5_000);
      expect(failing).toHaveBeenCalledTimes(6);
      expect(resilience.circuit('fake')).toMatchObject({ state: 'open' });
      expect(await circuitValue(registry)).toBe(2);

      // Open: fail fast without calling, Retry-After = the rest of the cool-down.
      const { error } = await settle(policy.execute(failing, true, quietObserver()), 0);
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect(error).toMatchObject({ code: 'circuit_open', httpStatus: 503 });
      expect((error as ProviderUnavailableError).retryAfterMs).toBeGreaterThan(4_000);
      expect((error as ProviderUnavailableError).retryAfterMs).toBeLessThanOrEqual(10_000);
      expect(failing).toHaveBeenCalledTimes(6);

      // After the cool-down a single probe (one attempt, no retries) closes it.
      await jest.advanceTimersByTimeAsync(10_000);
      let release!: (v: string) => void;
      const probe = jest.fn(async () => new Promise<string>((resolve) => (release = resolve)));
      const probing = policy.execute(probe, true, quietObserver());
      await jest.advanceTimersByTimeAsync(1);
      expect(resilience.circuit('fake')).toEqual({ state: 'half_open' });
      expect(await circuitValue(registry)).toBe(1);
      const other = jest.fn(async () => 'other');
      await expect(policy.execute(other, true, quietObserver())).rejects.toMatchObject({ code: 'circuit_open' });
      expect(other).not.toHaveBeenCalled();
      release('probe ok');
      await expect(probing).resolves.toBe('probe ok');
      expect(resilience.circuit('fake')).toEqual({ state: 'closed' });
      expect(await circuitValue(registry)).toBe(0);

      // Open again; a failed probe re-opens it after exactly one attempt.
      await settle(policy.execute(failing, true, quietObserver()));
      await settle(policy.execute(failing, true, quietObserver()), 5_000);
      expect(resilience.circuit('fake')).toMatchObject({ state: 'open' });
      await jest.advanceTimersByTimeAsync(10_000);
      const failedProbe = jest.fn(async () => Promise.reject(unavailable()));
      await settle(policy.execute(failedProbe, true, quietObserver()), 0);
      expect(failedProbe).toHaveBeenCalledTimes(1);
      expect(resilience.circuit('fake')).toMatchObject({ state: 'open', retryInMs: 10_000 });
    });

    it('does not count client errors (4xx) against the provider', async () => {
      const policy = registryWith({ maxAttempts: 1, breakerConsecutive: 2 }).operation('fake', 'op');
      const call = jest.fn(async () => Promise.reject(badRequest()));
      for (let i = 0; i < 5; i++) await settle(policy.execute(call, true, quietObserver()), 0);
      await expect(policy.execute(async () => 'still closed', true, quietObserver())).resolves.toBe('still closed');
    });

    it('opens on a failure ratio over the window once the minimum calls are reached', async () => {
      const resilience = registryWith({
        maxAttempts: 1,
        breakerRatio: 0.5,
        breakerWindowMs: 10_000,
        breakerMinCalls: 6,
      });
      const policy = resilience.operation('fake', 'op');
      const ok = async (): Promise<string> => 'ok';
      const fail = async (): Promise<never> => Promise.reject(unavailable());
      for (const call of [fail, ok, fail, ok, fail]) await settle(policy.execute(call, true, quietObserver()), 10);
      expect(resilience.circuit('fake')).toEqual({ state: 'closed' }); // 5 calls: below the minimum
      await settle(policy.execute(fail, true, quietObserver()), 10); // 4 of 6 failed > 50 %
      expect(resilience.circuit('fake')).toMatchObject({ state: 'open' });
    });
  });

  describe('rate limit', () => {
    it('shares the provider bucket between operations (an operation may add a bucket of its own) and waits for a token', async () => {
      const resilience = registryWith({ ratePerSec: 2, rateMaxWaitMs: 5_000, maxAttempts: 1 });
      const own = resilience.operation('fake', 'create', { rateLimitKey: 'create' });
      const other = resilience.operation('fake', 'read');
      const waits: number[] = [];
      const observer = { ...quietObserver(), onRateLimitWait: (ms: number) => waits.push(ms) };
      const ok = async (): Promise<string> => 'ok';
      // Two calls empty both of `create`'s buckets; `read` then finds the provider bucket empty too.
      await own.execute(ok, true, observer);
      await own.execute(ok, true, observer);
      const third = settle(other.execute(ok, true, observer), 1_500);
      await expect(third).resolves.toEqual({ value: 'ok' });
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(0);
    });

    it('fails with 429 when no token comes within the wait allowed', async () => {
      const policy = registryWith({ ratePerSec: 1, rateMaxWaitMs: 100, maxAttempts: 1 }).operation('fake', 'op');
      await policy.execute(async () => 'ok', true, quietObserver());
      await expect(policy.execute(async () => 'late', true, quietObserver())).rejects.toMatchObject({
        httpStatus: 429,
        code: 'rate_limited',
      });
    });
  });

  describe('bulkhead', () => {
    it('runs up to the limit, queues up to the queue size, and refuses the rest with 503', async () => {
      const policy = registryWith({ bulkheadLimit: 2, bulkheadQueue: 1, maxAttempts: 1, timeoutMs: 60_000 }).operation(
        'fake',
        'op',
      );
      const releases: Array<() => void> = [];
      const call = jest.fn(async () => new Promise<string>((resolve) => releases.push(() => resolve('done'))));
      const running = [1, 2, 3].map(() => policy.execute(call, true, quietObserver()));
      await jest.advanceTimersByTimeAsync(1);
      expect(call).toHaveBeenCalledTimes(2);
      await expect(policy.execute(call, true, quietObserver())).rejects.toMatchObject({
        code: 'bulkhead_full',
        httpStatus: 503,
      });
      releases[0]();
      await jest.advanceTimersByTimeAsync(1);
      expect(call).toHaveBeenCalledTimes(3);
      releases[1]();
      releases[2]();
      await expect(Promise.all(running)).resolves.toEqual(['done', 'done', 'done']);
    });
  });
});
