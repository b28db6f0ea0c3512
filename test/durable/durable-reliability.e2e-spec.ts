import { DataSource } from 'typeorm';
import { DurableProcessor } from '../../src/core/durable/durable.processor';
import { type TestApp, startTestApp } from '../support/app';
import { insertJobs, waitFor } from '../support/durable';
import { DurableTestModule, DurableTestQueue } from '../support/fixtures/durable-test.module';

const ROWS = 2_000;

describe('Durable processor reliability: two instances on one database', () => {
  let first: TestApp;
  let second: TestApp;
  // Both app instances live in this process, so one map sees every handler call.
  const calls = new Map<string, number>();
  const handledBy = new Map<string, number>();
  const fixture = (): ReturnType<typeof DurableTestModule.forRoot> =>
    DurableTestModule.forRoot({
      handle: async (row, context) => {
        calls.set(row.id, (calls.get(row.id) ?? 0) + 1);
        handledBy.set(context.workerId, (handledBy.get(context.workerId) ?? 0) + 1);
        await new Promise((resolve) => setImmediate(resolve));
      },
      concurrency: 8,
      batchSize: 20,
      pollIntervalMs: 50,
    });

  beforeAll(async () => {
    first = await startTestApp({ extraModules: [fixture()] });
    second = await startTestApp({ shareWith: first, extraModules: [fixture()] });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it(`handles ${ROWS} rows exactly once between them, none lost`, async () => {
    const ds = first.app.get(DataSource);
    const ids = await insertJobs(ds, ROWS);
    const queues = [first, second].map((app) => app.app.get(DurableTestQueue).queue);
    for (const queue of queues) queue.kick();
    await waitFor(async () => (await queues[0].counts()).done === ROWS, 60_000, `all ${ROWS} rows done`);

    expect(await queues[1].counts()).toEqual({ pending: 0, processing: 0, done: ROWS, dead: 0 });
    const twice = ids.filter((id) => calls.get(id) !== 1);
    expect(twice).toEqual([]);
    expect(calls.size).toBe(ROWS);
    // Both instances really competed for the rows.
    const workers = [first, second].map((app) => app.app.get(DurableProcessor).workerId);
    expect(workers[0]).not.toBe(workers[1]);
    for (const worker of workers) expect(handledBy.get(worker) ?? 0).toBeGreaterThan(0);
  });
});
