import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { type AppProcess, spawnApp } from '../support/app-process';
import { openAppDatabase } from '../support/app-database';
import { testEnv } from '../support/app';
import { insertJobs, waitFor } from '../support/durable';
import {
  DurableTestCompletion,
  DurableTestJob,
  ensureDurableTestTables,
} from '../support/fixtures/durable-test.module';

const ROWS = 120;
const CONCURRENCY = 8; // as in the fixture
const FIXTURE = join(__dirname, '..', 'support', 'fixtures', 'durable-slow.fixture.ts');

describe('Durable processor crash recovery (SIGKILL mid-drain)', () => {
  let env: Record<string, string>;
  let ds: DataSource;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    // A short lease so the rows the killed process held are claimed again quickly.
    env = await testEnv({ env: { DURABLE_TEST_HANDLER_MS: '250', DURABLE_TEST_LEASE_MS: '1500' } });
    ds = await openAppDatabase(env, { entities: [DurableTestJob, DurableTestCompletion], poolSize: 4 });
    const runner = ds.createQueryRunner();
    await ensureDurableTestTables(runner);
    await runner.release();
  });
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await ds?.destroy();
    if (env) rmSync(env.DATA_DIR, { recursive: true, force: true });
  });

  const completions = (): Promise<DurableTestCompletion[]> => ds.getRepository(DurableTestCompletion).find();

  it('finishes every row after a restart; only rows in flight at the kill may run twice', async () => {
    const ids = await insertJobs(ds, ROWS);
    const killed = await spawnApp(env, [FIXTURE]);
    processes.push(killed);
    const processing = (): Promise<number> => ds.getRepository(DurableTestJob).countBy({ status: 'processing' });
    // Kill while handlers are mid-run (each takes 250 ms), a quarter of the way in.
    await waitFor(
      async () => (await completions()).length >= ROWS / 4 && (await processing()) > 0,
      30_000,
      'a quarter done and rows in flight',
    );
    killed.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    const orphaned = new Set(
      (await ds.getRepository(DurableTestJob).findBy({ status: 'processing' })).map((job) => job.id),
    );

    const restarted = await spawnApp(env, [FIXTURE]);
    processes.push(restarted);
    await waitFor(
      async () => (await ds.getRepository(DurableTestJob).countBy({ status: 'done' })) === ROWS,
      60_000,
      'every row done',
    );
    restarted.kill('SIGTERM');
    expect(await restarted.exited).toEqual({ code: 0, signal: null });

    const all = await completions();
    const byJob = new Map<string, DurableTestCompletion[]>();
    for (const c of all) byJob.set(c.jobId, [...(byJob.get(c.jobId) ?? []), c]);
    expect(ids.filter((id) => !byJob.has(id))).toEqual([]);
    const workers = new Set(all.map((c) => c.workerId));
    expect(workers.size).toBe(2);
    // At-least-once: a row can run twice only if the kill fell between its
    // handler's side effect and the `done` update, i.e. it was in flight then.
    const duplicated = [...byJob.values()].filter((list) => list.length > 1);
    expect(duplicated.length).toBeLessThanOrEqual(CONCURRENCY);
    for (const list of duplicated) {
      expect(orphaned.has(list[0].jobId)).toBe(true);
      expect(list).toHaveLength(2);
      expect(new Set(list.map((c) => c.workerId)).size).toBe(2);
    }
    // The rows the dead process held were taken over, not lost.
    expect(orphaned.size).toBeGreaterThan(0);
    process.stdout.write(
      `crash recovery: ${orphaned.size} rows orphaned by SIGKILL, ${duplicated.length} handled twice, ${ROWS} done\n`,
    );
  });
});
