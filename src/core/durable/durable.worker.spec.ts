import type { LoggerService } from '@nestjs/common';
import { RateLimitedError } from '../errors/integration.error';
import { DurableRecord } from './durable-record.entity';
import type { Claim, DurableStore } from './durable.store';
import { PermanentFailure } from './durable.types';
import { DURABLE_DEFAULTS, type DurableSettings, DurableWorker } from './durable.worker';

class Job extends DurableRecord {
  payload = 'card 4242 4242 4242 4242';
}

const NOW = new Date('2026-11-27T08:00:00.000Z');

function job(id: string, attempts = 1): Job {
  return Object.assign(new Job(), { id, attempts, status: 'processing', nextAttemptAt: NOW });
}

/** An in-memory store double that records the outcome calls the worker makes. */
function fakeStore(due: Job[] = []) {
  const calls = {
    claimDue: [] as number[],
    complete: [] as Claim[],
    reschedule: [] as Array<{ claim: Claim; next: Date; error: string }>,
    bury: [] as Array<{ claim: Claim; error: string }>,
  };
  let holdsLease = true;
  const store = {
    claimExpired: jest.fn(async () => [] as Job[]),
    claimDue: jest.fn(async (_worker: string, _now: Date, _lease: number, limit: number) => {
      calls.claimDue.push(limit);
      return due.splice(0, limit);
    }),
    completeAll: jest.fn(async (claims: Claim[]) => {
      calls.complete.push(...claims);
      return new Set(holdsLease ? claims.map((claim) => claim.id) : []);
    }),
    reschedule: jest.fn(
      async (claim: Claim, _now: Date, next: Date, error: string) => (
        calls.reschedule.push({ claim, next, error }),
        holdsLease
      ),
    ),
    bury: jest.fn(async (claim: Claim, _now: Date, error: string) => (calls.bury.push({ claim, error }), holdsLease)),
  };
  return { store: store as unknown as DurableStore<Job>, mock: store, calls, loseLease: () => (holdsLease = false) };
}

function fakeLogger(): LoggerService & { lines: Array<{ level: string; args: unknown[] }> } {
  const lines: Array<{ level: string; args: unknown[] }> = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      void lines.push({ level, args });
  return { lines, log: at('log'), warn: at('warn'), error: at('error') };
}

describe(DurableWorker.name, () => {
  const settings: DurableSettings = { ...DURABLE_DEFAULTS, maxAttempts: 3, concurrency: 2, batchSize: 10, lingerMs: 0 };

  function worker(
    handle: (row: Job) => Promise<void>,
    store: DurableStore<Job>,
    logger = fakeLogger(),
    overrides: Partial<DurableSettings> = {},
  ) {
    return new DurableWorker<Job>(
      { name: 'jobs', entity: Job, handle },
      { ...settings, ...overrides },
      store,
      'host:1:abcd',
      logger,
      () => NOW,
    );
  }

  it('marks a handled row done under its own claim (worker and attempt)', async () => {
    const { store, calls } = fakeStore([job('a', 2)]);
    const handle = jest.fn(async () => undefined);
    expect(await worker(handle, store).drain()).toBe(1);
    expect(handle).toHaveBeenCalledWith(expect.objectContaining({ id: 'a' }));
    expect(calls.complete).toEqual([{ id: 'a', workerId: 'host:1:abcd', attempts: 2 }]);
  });

  it('claims no more rows than it has free slots', async () => {
    const { store, calls } = fakeStore([job('a'), job('b'), job('c')]);
    await worker(async () => undefined, store).drain();
    expect(calls.claimDue).toEqual([2, 2, 2]);
  });

  it('reschedules a failure no sooner than retryAfterMs and logs a warning without the payload', async () => {
    const { store, calls } = fakeStore([job('a')]);
    const logger = fakeLogger();
    await worker(
      async () => Promise.reject(new RateLimitedError('429', { provider: 'x', retryAfterMs: 5_000 })),
      store,
      logger,
    ).drain();
    expect(calls.reschedule).toHaveLength(1);
    expect(calls.reschedule[0].next.getTime() - NOW.getTime()).toBeGreaterThanOrEqual(5_000);
    expect(calls.reschedule[0].error).toBe('RateLimitedError: 429');
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        args: [expect.objectContaining({ queue: 'jobs', id: 'a', attempt: 1 }), expect.any(String), 'Durable'],
      },
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain('4242');
  });

  it('dead-letters on the last attempt and on PermanentFailure, logging at error', async () => {
    const { store, calls } = fakeStore([job('last', 3), job('permanent', 1)]);
    const logger = fakeLogger();
    await worker(
      async (row) => Promise.reject(row.id === 'last' ? new Error('still down') : new PermanentFailure('bad address')),
      store,
      logger,
    ).drain();
    expect(calls.bury.map((b) => [b.claim.id, b.error])).toEqual([
      ['last', 'Error: still down'],
      ['permanent', 'PermanentFailure: bad address'],
    ]);
    expect(logger.lines.map((l) => [l.level, (l.args[0] as { id: string }).id])).toEqual([
      ['error', 'last'],
      ['error', 'permanent'],
    ]);
  });

  it('dead-letters without running the handler when the last attempt never reported back', async () => {
    const { store, calls } = fakeStore([job('a', 4)]);
    const handle = jest.fn(async () => undefined);
    await worker(handle, store).drain();
    expect(handle).not.toHaveBeenCalled();
    expect(calls.bury.map((b) => b.claim)).toEqual([{ id: 'a', workerId: 'host:1:abcd', attempts: 4 }]);
  });

  it('warns when the lease was lost before the outcome could be recorded', async () => {
    const fake = fakeStore([job('a')]);
    fake.loseLease();
    const logger = fakeLogger();
    await worker(async () => undefined, fake.store, logger).drain();
    expect(logger.lines).toEqual([
      { level: 'warn', args: [{ queue: 'jobs', id: 'a' }, expect.stringMatching(/lease lost/), 'Durable'] },
    ]);
  });

  it('coalesces kicks that arrive while a poll runs into one more poll', async () => {
    const { store, mock } = fakeStore();
    let release!: () => void;
    mock.claimDue.mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve([]))));
    const sut = worker(async () => undefined, store);
    sut.start();
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 5; i += 1) sut.kick();
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mock.claimDue).toHaveBeenCalledTimes(2);
    await sut.stop(100);
  });

  it('after finding rows polls an empty queue again within a tenth of a second, backing off to pollIntervalMs', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    try {
      const due = [job('a')];
      const { store, mock } = fakeStore(due);
      const handled: string[] = [];
      const sut = worker(async (row) => void handled.push(row.id), store, fakeLogger(), { pollIntervalMs: 1_000 });
      sut.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(handled).toEqual(['a']);
      // Another process stores a row (PORTICO_ROLE=api): nothing kicks this worker.
      due.push(job('b'));
      await jest.advanceTimersByTimeAsync(400);
      expect(handled).toEqual(['a', 'b']); // not a second later
      // Idle from here: 100, 200, 400 … ms between polls, then one per pollIntervalMs.
      await jest.advanceTimersByTimeAsync(3_000);
      const settled = mock.claimDue.mock.calls.length;
      await jest.advanceTimersByTimeAsync(3_000);
      expect(mock.claimDue.mock.calls.length - settled).toBe(3);
      await sut.stop(100);
    } finally {
      jest.useRealTimers();
    }
  });

  it('drain() also waits for a row its own polling loop claimed meanwhile', async () => {
    const { store } = fakeStore([job('looped')]);
    let finished = false;
    const sut = worker(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished = true;
    }, store);
    sut.start();
    await new Promise((resolve) => setImmediate(resolve)); // the loop has claimed 'looped'
    expect(await sut.drain()).toBe(0);
    expect(finished).toBe(true);
    await sut.stop(100);
  });

  it('on stop claims nothing more and waits for the running handler', async () => {
    const { store, mock } = fakeStore([job('slow')]);
    let finished = false;
    const sut = worker(
      () => new Promise<void>((resolve) => setTimeout(() => resolve(void (finished = true)), 50)),
      store,
    );
    sut.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const claims = mock.claimDue.mock.calls.length;
    expect(await sut.stop(5_000)).toBe(true);
    expect(finished).toBe(true);
    expect(mock.claimDue.mock.calls.length).toBe(claims);
  });

  it('gives up waiting at the bound when a handler never finishes', async () => {
    const { store } = fakeStore([job('stuck')]);
    const sut = worker(() => new Promise<void>(() => undefined), store);
    sut.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await sut.stop(50)).toBe(false);
  });

  it('gathers the kicks that arrive within lingerMs of the last poll into one claim', async () => {
    const due: Job[] = [];
    const { store, mock } = fakeStore(due);
    const handled: string[] = [];
    const sut = worker(async (row) => void handled.push(row.id), store, fakeLogger(), {
      concurrency: 10,
      lingerMs: 200,
    });
    sut.start(); // polls at once: nothing is due yet
    await new Promise((resolve) => setImmediate(resolve));
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      due.push(job(id));
      sut.kick();
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(mock.claimDue).toHaveBeenCalledTimes(1); // still lingering
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The claim after the linger took all five (a later one, once they finished, found none).
    expect(((await mock.claimDue.mock.results[1].value) as Job[]).map((row) => row.id)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect(handled).toEqual(['a', 'b', 'c', 'd', 'e']);
    await sut.stop(100);
  });

  it('admit() holds intake while more kicked rows than backlogLimit wait here, and lets it go once a claim comes back short', async () => {
    const { store, mock } = fakeStore();
    let release!: () => void;
    mock.claimDue.mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve([]))));
    const sut = worker(async () => undefined, store, fakeLogger(), { backlogLimit: 2 });
    sut.start();
    for (let i = 0; i < 3; i += 1) sut.kick();
    let admitted = false;
    const admission = sut.admit().then(() => (admitted = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(admitted).toBe(false);
    release(); // a short claim: nothing else is due
    await admission;
    expect(admitted).toBe(true);
    await sut.stop(100);
  });

  it('admit() never waits where the worker does not run (PORTICO_ROLE=api)', async () => {
    const { store } = fakeStore();
    const sut = worker(async () => undefined, store, fakeLogger(), { backlogLimit: 0 });
    for (let i = 0; i < 3; i += 1) sut.kick();
    await expect(sut.admit()).resolves.toBeUndefined();
  });
});
