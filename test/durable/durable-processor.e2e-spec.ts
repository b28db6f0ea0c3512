import { DataSource } from 'typeorm';
import { DurableProcessor } from '../../src/core/durable/durable.processor';
import { type DurableQueue, PermanentFailure } from '../../src/core/durable/durable.types';
import { ProviderUnavailableError, RateLimitedError } from '../../src/core/errors/integration.error';
import { OverviewService } from '../../src/console/overview.service';
import { type TestApp, startTestApp } from '../support/app';
import { insertJobs, jobOf, sleep, waitFor } from '../support/durable';
import {
  DurableTestJob,
  DurableTestModule,
  DurableTestQueue,
  type HandlerContext,
} from '../support/fixtures/durable-test.module';

type Behaviour = (row: DurableTestJob, context: HandlerContext) => Promise<void>;

describe('Durable processor (claim, retry, dead-letter, leases)', () => {
  let t: TestApp;
  let queue: DurableQueue;
  let ds: DataSource;
  let behaviour: Behaviour;
  const calls = new Map<string, number>();
  const fixture = (): ReturnType<typeof DurableTestModule.forRoot> =>
    DurableTestModule.forRoot({
      handle: async (row, context) => {
        calls.set(row.id, (calls.get(row.id) ?? 0) + 1);
        await behaviour(row, context);
      },
      maxAttempts: 3,
      backoff: { baseMs: 10, capMs: 40 },
      leaseMs: 5_000,
      // Long enough that only drain(), kick() and finishing handlers poll during a test.
      pollIntervalMs: 60_000,
      minPollIntervalMs: 60_000,
    });

  beforeAll(async () => {
    t = await startTestApp({ extraModules: [fixture()] });
    queue = t.app.get(DurableTestQueue).queue;
    ds = t.app.get(DataSource);
  });
  afterAll(async () => t.close());
  beforeEach(() => {
    behaviour = async () => undefined;
    calls.clear();
  });

  /** Drains until the row reaches `status` (retries wait for their backoff). */
  async function settle(id: string, status: DurableTestJob['status']): Promise<DurableTestJob> {
    await waitFor(
      async () => {
        await queue.drain();
        return (await jobOf(ds, id)).status === status;
      },
      5_000,
      `row ${id} to be ${status}`,
    );
    return jobOf(ds, id);
  }

  it('handles a row exactly once and marks it done', async () => {
    const [id] = await insertJobs(ds, 1);
    expect(await queue.drain()).toBeGreaterThanOrEqual(1);
    const row = await jobOf(ds, id);
    expect(row).toMatchObject({ status: 'done', attempts: 1, lockedBy: null, lockedUntil: null });
    expect(row.processedAt).toBeInstanceOf(Date);
    expect(await queue.drain()).toBe(0);
    expect(calls.get(id)).toBe(1);
  });

  it('treats a row inserted without next_attempt_at as due at once (column default)', async () => {
    const [id] = await insertJobs(ds, 1, { nextAttemptAt: undefined });
    expect((await jobOf(ds, id)).nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    await queue.drain();
    expect(await jobOf(ds, id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('hands the handler the stored row with its own columns mapped', async () => {
    let seen: DurableTestJob | undefined;
    behaviour = async (row) => void (seen = row);
    const [id] = await insertJobs(ds, 1, { payload: '{"hello":"world"}' });
    await queue.drain();
    expect(seen).toMatchObject({ id, payload: '{"hello":"world"}', status: 'processing', attempts: 1 });
    expect(seen?.nextAttemptAt).toBeInstanceOf(Date);
    expect(seen?.lockedUntil?.getTime()).toBeGreaterThan(Date.now());
  });

  it('retries a failing row with backoff, records the error, then marks it done', async () => {
    const seen: Array<{ attempts: number; lastError: string | null; nextAttemptAt: number; failedAt?: number }> = [];
    behaviour = async (row) => {
      const attempt = { attempts: row.attempts, lastError: row.lastError, nextAttemptAt: row.nextAttemptAt.getTime() };
      seen.push(attempt);
      if (row.attempts < 3) {
        Object.assign(attempt, { failedAt: Date.now() });
        throw new ProviderUnavailableError(`upstream answered 503 (attempt ${row.attempts})`, { provider: 'test' });
      }
    };
    const [id] = await insertJobs(ds, 1);
    const done = await settle(id, 'done');
    expect(done).toMatchObject({ status: 'done', attempts: 3, lockedBy: null });
    expect(calls.get(id)).toBe(3);
    expect(seen.map((s) => s.attempts)).toEqual([1, 2, 3]);
    // Each retry saw the previous failure and was due within the full-jitter window (10 ms, then 20 ms) after the
    // failure was recorded. The handler's clock reads the failure a little earlier than the worker does; on a
    // loaded machine that gap reached 67 ms, so the slack is 250 ms (a default 1 s window would still show
    // three times in four).
    // The rule itself is asserted exactly in durable-policy.spec.ts.
    expect(seen[1].lastError).toBe('ProviderUnavailableError: upstream answered 503 (attempt 1)');
    expect(seen[2].lastError).toBe('ProviderUnavailableError: upstream answered 503 (attempt 2)');
    const failedAt = (i: number): number => seen[i].failedAt ?? Number.NaN;
    expect(seen[1].nextAttemptAt).toBeGreaterThanOrEqual(failedAt(0) - 2);
    expect(seen[1].nextAttemptAt).toBeLessThanOrEqual(failedAt(0) + 10 + 250);
    expect(seen[2].nextAttemptAt).toBeGreaterThanOrEqual(failedAt(1) - 2);
    expect(seen[2].nextAttemptAt).toBeLessThanOrEqual(failedAt(1) + 20 + 250);
  });

  it('waits at least as long as the error says (retryAfterMs)', async () => {
    behaviour = async () => {
      throw new RateLimitedError('429 from upstream', { provider: 'test', retryAfterMs: 60_000 });
    };
    const [id] = await insertJobs(ds, 1);
    await queue.drain();
    const row = await jobOf(ds, id);
    expect(row.status).toBe('pending');
    expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 55_000);
    expect(await queue.drain()).toBe(0);
    expect(calls.get(id)).toBe(1);
  });

  it('dead-letters a row after maxAttempts, without secrets in last_error', async () => {
    behaviour = async () => {
      throw new Error('upstream rejected password=hunter2 with Bearer abc.def');
    };
    const [id] = await insertJobs(ds, 1);
    const dead = await settle(id, 'dead');
    expect(dead.attempts).toBe(3);
    expect(calls.get(id)).toBe(3);
    expect(dead.lastError).toContain('upstream rejected');
    expect(dead.lastError).not.toMatch(/hunter2|abc\.def/);
    expect(await queue.drain()).toBe(0);
  });

  it('dead-letters at once on PermanentFailure', async () => {
    behaviour = async () => {
      throw new PermanentFailure('recipient address rejected');
    };
    const [id] = await insertJobs(ds, 1);
    await queue.drain();
    expect(await jobOf(ds, id)).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'PermanentFailure: recipient address rejected',
    });
    expect(calls.get(id)).toBe(1);
  });

  it('replays a dead row: back to pending with attempts reset, then handled', async () => {
    behaviour = async () => {
      throw new PermanentFailure('not yet');
    };
    const [id] = await insertJobs(ds, 1);
    await queue.drain();
    expect((await jobOf(ds, id)).status).toBe('dead');
    behaviour = async () => undefined;
    expect(await queue.replay(id)).toBe(true);
    await waitFor(async () => (await jobOf(ds, id)).status === 'done', 5_000, 'replayed row done');
    expect(await jobOf(ds, id)).toMatchObject({ status: 'done', attempts: 1 });
    expect(calls.get(id)).toBe(2);
    expect(await queue.replay('00000000-0000-7000-8000-000000000000')).toBe(false);
  });

  it('does not replay a row that is pending', async () => {
    const [id] = await insertJobs(ds, 1, { nextAttemptAt: new Date(Date.now() + 60_000) });
    expect(await queue.replay(id)).toBe(false);
    expect((await jobOf(ds, id)).status).toBe('pending');
  });

  it('reclaims a row whose lease expired (its worker died) and leaves live leases alone', async () => {
    const [expired] = await insertJobs(ds, 1, {
      status: 'processing',
      attempts: 1,
      lockedBy: 'crashed:1:dead',
      lockedUntil: new Date(Date.now() - 1_000),
    });
    const [held] = await insertJobs(ds, 1, {
      status: 'processing',
      attempts: 1,
      lockedBy: 'alive:2:busy',
      lockedUntil: new Date(Date.now() + 60_000),
    });
    await queue.drain();
    expect(await jobOf(ds, expired)).toMatchObject({ status: 'done', attempts: 2, lockedBy: null });
    expect(await jobOf(ds, held)).toMatchObject({ status: 'processing', attempts: 1, lockedBy: 'alive:2:busy' });
    expect(calls.get(expired)).toBe(1);
    expect(calls.has(held)).toBe(false);
  });

  it('dead-letters an expired row whose last allowed attempt never finished', async () => {
    const [id] = await insertJobs(ds, 1, {
      status: 'processing',
      attempts: 3,
      lockedBy: 'crashed:1:dead',
      lockedUntil: new Date(Date.now() - 1_000),
    });
    await queue.drain();
    expect(await jobOf(ds, id)).toMatchObject({ status: 'dead', attempts: 4 });
    expect(calls.has(id)).toBe(false);
  });

  it('does not let a worker that lost its lease overwrite the newer claim', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const started = new Set<string>();
    const [succeeds, fails, reclaimedBySelf] = await insertJobs(ds, 3);
    behaviour = async (row) => {
      started.add(row.id);
      await released;
      if (row.id === fails) throw new Error('too late anyway');
    };
    const draining = queue.drain();
    await waitFor(() => started.size === 3, 5_000, 'the handlers to start');
    // Meanwhile the leases ran out: another worker claimed two rows, and this
    // same worker claimed the third again (a newer attempt of its own).
    const lease = new Date(Date.now() + 60_000);
    await ds
      .getRepository(DurableTestJob)
      .update([succeeds, fails], { lockedBy: 'newer:3:owner', lockedUntil: lease, attempts: 2 });
    const self = t.app.get(DurableProcessor).workerId;
    await ds.getRepository(DurableTestJob).update(reclaimedBySelf, { lockedUntil: lease, attempts: 2 });
    release();
    await draining;
    for (const id of [succeeds, fails]) {
      expect(await jobOf(ds, id)).toMatchObject({
        status: 'processing',
        lockedBy: 'newer:3:owner',
        processedAt: null,
        lastError: null,
        attempts: 2,
      });
    }
    expect(await jobOf(ds, reclaimedBySelf)).toMatchObject({
      status: 'processing',
      lockedBy: self,
      processedAt: null,
      attempts: 2,
    });
  });

  it('kick() handles a new row at once, without waiting for the poll interval', async () => {
    const [id] = await insertJobs(ds, 1);
    queue.kick();
    await waitFor(async () => (await jobOf(ds, id)).status === 'done', 3_000, 'kicked row done');
    expect(calls.get(id)).toBe(1);
  });

  it('counts rows by status', async () => {
    const counts = await queue.counts();
    expect(Object.keys(counts).sort()).toEqual(['dead', 'done', 'pending', 'processing']);
    expect(counts.done).toBeGreaterThanOrEqual(5);
    expect(counts.dead).toBeGreaterThanOrEqual(3);
  });

  it('tells the admin overview its backlog: counts, the oldest waiting row’s age, dead rows with a preview', async () => {
    const [waiting] = await insertJobs(ds, 1, { nextAttemptAt: new Date(Date.now() + 60_000) });
    await ds.getRepository(DurableTestJob).update({ id: waiting }, { createdAt: new Date(Date.now() - 3_600_000) });
    behaviour = async () => {
      throw new PermanentFailure('cannot handle this one');
    };
    const [dead] = await insertJobs(ds, 1, { payload: JSON.stringify({ order: 'A-17' }) });
    await queue.drain();

    const overview = await t.app.get(OverviewService).overview();
    const row = overview.queues.find((q) => q.name === queue.name);
    const counts = await queue.counts();
    expect(row).toMatchObject({ pending: counts.pending, dead: counts.dead, done: counts.done });
    expect(row?.pending).toBeGreaterThanOrEqual(1);
    // An hour old, give or take the test's own run time.
    expect(row?.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(3_600);
    expect(row?.oldestPendingAgeSeconds).toBeLessThan(3_700);

    const letters = await queue.deadLetters(50);
    expect(letters[0]).toMatchObject({
      id: dead,
      attempts: 1,
      lastError: 'PermanentFailure: cannot handle this one',
      preview: JSON.stringify({ payload: JSON.stringify({ order: 'A-17' }) }),
    });
    expect(letters.map((l) => l.id)).not.toContain(waiting);
    await ds.getRepository(DurableTestJob).delete({ id: waiting });
  });

  it('on shutdown stops claiming and waits for the in-flight handler to finish', async () => {
    const second = await startTestApp({ shareWith: t, extraModules: [fixture()] });
    const secondWorker = second.app.get(DurableProcessor).workerId;
    let startedBy: string | undefined;
    let finished = false;
    behaviour = async (_row, context) => {
      startedBy = context.workerId;
      await sleep(700);
      finished = true;
    };
    const [id] = await insertJobs(ds, 1);
    second.app.get(DurableTestQueue).queue.kick();
    await waitFor(() => startedBy !== undefined, 5_000, 'handler to start');
    expect(startedBy).toBe(secondWorker);
    await second.close();
    expect(finished).toBe(true);
    expect(await jobOf(ds, id)).toMatchObject({ status: 'done', lockedBy: null });
  });
});
