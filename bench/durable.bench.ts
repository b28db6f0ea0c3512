/**
 * Durable processor throughput: rows drained per second with a no-op handler
 * (the processor's own ceiling: claim + finishing update), on SQLite and on
 * PostgreSQL with one and two instances. Not a test; prints a table.
 *
 *   npm run bench:durable            (ROWS=10000 by default)
 */
import { DataSource } from 'typeorm';
import { type TestApp, startTestApp } from '../test/support/app';
import { insertJobs, waitFor } from '../test/support/durable';
import { DurableTestModule, DurableTestQueue } from '../test/support/fixtures/durable-test.module';
import { startPostgres } from '../test/support/services';
import { markdownTable } from './support/table';

const ROWS = Number(process.env.ROWS ?? 10_000);

interface Scenario {
  readonly engine: 'sqlite' | 'postgres';
  readonly instances: number;
  readonly concurrency: number;
  readonly batchSize: number;
}

const SCENARIOS: Scenario[] = [
  { engine: 'sqlite', instances: 1, concurrency: 4, batchSize: 20 },
  { engine: 'sqlite', instances: 1, concurrency: 32, batchSize: 32 },
  { engine: 'postgres', instances: 1, concurrency: 4, batchSize: 20 },
  { engine: 'postgres', instances: 1, concurrency: 32, batchSize: 32 },
  { engine: 'postgres', instances: 2, concurrency: 32, batchSize: 32 },
];

async function run(scenario: Scenario): Promise<{ rowsPerSecond: number; seconds: number }> {
  process.env.TEST_DB_ENGINE = scenario.engine;
  const fixture = (): ReturnType<typeof DurableTestModule.forRoot> =>
    DurableTestModule.forRoot({
      handle: () => new Promise((resolve) => setImmediate(resolve)),
      concurrency: scenario.concurrency,
      batchSize: scenario.batchSize,
      pollIntervalMs: 60_000,
    });
  const apps: TestApp[] = [await startTestApp({ env: { LOG_LEVEL: 'error' }, extraModules: [fixture()] })];
  while (apps.length < scenario.instances)
    apps.push(await startTestApp({ shareWith: apps[0], env: { LOG_LEVEL: 'error' }, extraModules: [fixture()] }));
  try {
    await insertJobs(apps[0].app.get(DataSource), ROWS);
    const queues = apps.map((app) => app.app.get(DurableTestQueue).queue);
    const started = process.hrtime.bigint();
    for (const queue of queues) queue.kick();
    await waitFor(async () => (await queues[0].counts()).done === ROWS, 600_000, 'all rows done');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rowsPerSecond: ROWS / seconds, seconds };
  } finally {
    for (const app of [...apps].reverse()) await app.close();
  }
}

async function main(): Promise<void> {
  const postgres = await startPostgres();
  if (typeof postgres === 'string') process.stdout.write(`PostgreSQL scenarios skipped: ${postgres}\n`);
  else process.env.TEST_POSTGRES_URL = postgres.url;
  const rows: string[][] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (scenario.engine === 'postgres' && typeof postgres === 'string') continue;
      const result = await run(scenario);
      rows.push([
        scenario.engine,
        String(scenario.instances),
        String(scenario.concurrency),
        String(scenario.batchSize),
        result.seconds.toFixed(2),
        String(Math.round(result.rowsPerSecond)),
      ]);
    }
  } finally {
    if (typeof postgres !== 'string') postgres.stop();
  }
  process.stdout.write(`\nDurable processor, ${ROWS} rows, no-op handler`);
  process.stdout.write(markdownTable(['engine', 'instances', 'concurrency', 'batch', 'seconds', 'rows/s'], rows));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
