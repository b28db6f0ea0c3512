import type { DataSource } from 'typeorm';
import { DurableRecord } from './durable-record.entity';
import { DurableProcessor } from './durable.processor';

class Job extends DurableRecord {}
class NotDurable {}

/** Just enough of a DataSource for registration (no queries run before bootstrap). */
function fakeDataSource(): DataSource {
  const metadataOf = (target: unknown): unknown => ({
    name: String((target as { name: string }).name),
    tableName: 'jobs',
    tablePath: 'jobs',
    findColumnWithPropertyName: (property: string) =>
      target === Job && property === 'nextAttemptAt' ? { propertyName: property } : undefined,
  });
  return {
    options: { type: 'better-sqlite3' },
    driver: { escape: (name: string) => `"${name}"` },
    getMetadata: metadataOf,
  } as unknown as DataSource;
}

describe(DurableProcessor.name, () => {
  const app = { shutdownTimeoutMs: 10_000 };
  let sut: DurableProcessor;
  const handle = async (): Promise<void> => undefined;

  beforeEach(() => {
    sut = new DurableProcessor(fakeDataSource(), app);
  });

  it('has a per-instance worker id of host, pid and a random part that fits locked_by', () => {
    const other = new DurableProcessor(fakeDataSource(), app);
    expect(sut.workerId).toMatch(new RegExp(`^.+:${process.pid}:[0-9a-f]{8}$`));
    expect(sut.workerId.length).toBeLessThanOrEqual(64);
    expect(other.workerId).not.toBe(sut.workerId);
  });

  it('registers a queue and finds it by name', () => {
    const queue = sut.register({ name: 'jobs', entity: Job, handle });
    expect(queue.name).toBe('jobs');
    expect(sut.queue('jobs')).toBe(queue);
    expect(sut.queue('other')).toBeUndefined();
  });

  it('refuses a second queue with the same name', () => {
    sut.register({ name: 'jobs', entity: Job, handle });
    expect(() => sut.register({ name: 'jobs', entity: Job, handle })).toThrow(/already registered/);
  });

  it('refuses an entity without the durable columns', () => {
    expect(() => sut.register({ name: 'plain', entity: NotDurable, handle })).toThrow(/does not extend DurableRecord/);
  });

  it('refuses settings that are not positive integers', () => {
    expect(() => sut.register({ name: 'a', entity: Job, handle, concurrency: 0 })).toThrow(
      /concurrency must be a positive integer/,
    );
    expect(() => sut.register({ name: 'b', entity: Job, handle, leaseMs: 1.5 })).toThrow(/leaseMs/);
    expect(() => sut.register({ name: 'c', entity: Job, handle, backoff: { baseMs: 10, capMs: -1 } })).toThrow(/capMs/);
  });
});
