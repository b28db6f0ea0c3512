import type { DataSource } from 'typeorm';
import { uuidv7 } from '../../src/core/database/ids';
import { DurableTestCompletion, DurableTestJob } from './fixtures/durable-test.module';

/** Inserts `count` due jobs (in chunks, no transaction) and returns their ids. */
export async function insertJobs(
  dataSource: DataSource,
  count: number,
  fields: Partial<DurableTestJob> = {},
): Promise<string[]> {
  const ids: string[] = [];
  const repository = dataSource.getRepository(DurableTestJob);
  for (let start = 0; start < count; start += 250) {
    const chunk = Array.from({ length: Math.min(250, count - start) }, (_, i) => ({
      id: uuidv7(),
      payload: JSON.stringify({ n: start + i }),
      nextAttemptAt: new Date(),
      ...fields,
    }));
    await repository.insert(chunk);
    ids.push(...chunk.map((job) => job.id));
  }
  return ids;
}

export async function jobOf(dataSource: DataSource, id: string): Promise<DurableTestJob> {
  return dataSource.getRepository(DurableTestJob).findOneByOrFail({ id });
}

/** The handler's own record that it finished a job (what a side effect would look like). */
export async function recordCompletion(dataSource: DataSource, job: DurableTestJob, workerId: string): Promise<void> {
  await dataSource
    .getRepository(DurableTestCompletion)
    .insert({ id: uuidv7(), jobId: job.id, workerId, attempt: job.attempts, completedAt: new Date() });
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
