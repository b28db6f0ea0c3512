import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Tracing } from '../tracing/tracing.service';
import type { DurableRecord } from './durable-record.entity';
import type { DurableQueue, DurableQueueDefinition } from './durable.types';
import { type DurableModuleOptions, InjectDurableOptions } from './durable.options';
import { DurableStore } from './durable.store';
import { DURABLE_DEFAULTS, type DurableSettings, DurableWorker } from './durable.worker';

/**
 * Runs every durable queue (webhook inbox, email outbox) of this instance.
 * Feature modules register their queue in `onModuleInit`; polling starts once
 * the application has bootstrapped and stops on shutdown, before the
 * database closes: no new claims, and in-flight handlers get a bounded time
 * to finish (whatever is still running is claimed again after its lease).
 *
 * @example
 * onModuleInit() {
 *   this.queue = this.processor.register({ name: 'emails', entity: EmailEntity, handle: (row) => this.send(row) });
 * }
 */
@Injectable()
export class DurableProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** `host:pid:random`, stored in `locked_by`; unique per instance even for two apps in one process. */
  readonly workerId = `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly logger = new Logger('Durable');
  private readonly workers = new Map<string, Pick<DurableWorker<DurableRecord>, 'start' | 'stop'> & DurableQueue>();
  private started = false;

  constructor(
    private readonly dataSource: DataSource,
    @InjectDurableOptions() private readonly options: DurableModuleOptions,
    @Optional() private readonly tracing?: Tracing,
  ) {}

  /**
   * Whether this process does background work (`PORTICO_ROLE` all or worker).
   * Schedulers and sweeps outside core check it before starting their timers.
   */
  get runsWorkers(): boolean {
    return this.options.runWorkers;
  }

  /**
   * Adds a queue. Call from `onModuleInit` of the module that owns the entity.
   * @throws Error when a queue of that name exists or the entity lacks the durable columns.
   */
  register<T extends DurableRecord>(definition: DurableQueueDefinition<T>): DurableQueue {
    if (this.workers.has(definition.name)) throw new Error(`Durable queue "${definition.name}" is already registered`);
    const settings = settingsOf(definition);
    const worker = new DurableWorker<T>(
      this.traced(definition),
      settings,
      new DurableStore(this.dataSource, definition.entity),
      this.workerId,
      this.logger,
    );
    this.workers.set(definition.name, worker);
    if (this.started) worker.start();
    return worker;
  }

  /**
   * With tracing on, each handler run is a `durable.process <queue>` span whose
   * parent is the trace context stored with the row: the request that queued
   * the row and the work it causes form one trace, each attempt a sibling
   * under the producer. Untouched (no span, no lookup) when tracing is off.
   */
  private traced<T extends DurableRecord>(definition: DurableQueueDefinition<T>): DurableQueueDefinition<T> {
    const tracing = this.tracing;
    if (tracing?.enabled !== true) return definition;
    const name = `durable.process ${definition.name}`;
    return {
      ...definition,
      handle: (row) =>
        tracing.inQueuedSpan(
          name,
          row.traceContext,
          {
            'portico.queue': definition.name,
            'portico.durable.id': row.id,
            'portico.durable.attempt': row.attempts,
            ...definition.traceAttributes?.(row),
          },
          () => definition.handle(row),
        ),
    };
  }

  /** The queue registered under `name`, e.g. for admin endpoints. */
  queue(name: string): DurableQueue | undefined {
    return this.workers.get(name);
  }

  /** Every registered queue, in registration order (admin overview). */
  queues(): DurableQueue[] {
    return [...this.workers.values()];
  }

  onApplicationBootstrap(): void {
    if (!this.options.runWorkers) {
      this.logger.log(`${this.workers.size} durable queue(s) registered; not polled here (api role)`, 'Durable');
      return;
    }
    this.started = true;
    for (const worker of this.workers.values()) worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    // Leave part of the shutdown budget for the HTTP server and the database.
    const bound = Math.floor(this.options.shutdownTimeoutMs * 0.6);
    const results = await Promise.all(
      [...this.workers.values()].map(async (worker) => [worker.name, await worker.stop(bound)] as const),
    );
    for (const [name, finished] of results) {
      if (!finished)
        this.logger.warn(
          { queue: name, waitedMs: bound },
          'Durable handlers still running at shutdown; their rows will be claimed again',
          'Durable',
        );
    }
  }
}

function settingsOf<T extends DurableRecord>(definition: DurableQueueDefinition<T>): DurableSettings {
  const settings: DurableSettings = {
    maxAttempts: definition.maxAttempts ?? DURABLE_DEFAULTS.maxAttempts,
    backoff: definition.backoff ?? DURABLE_DEFAULTS.backoff,
    leaseMs: definition.leaseMs ?? DURABLE_DEFAULTS.leaseMs,
    batchSize: definition.batchSize ?? DURABLE_DEFAULTS.batchSize,
    concurrency: definition.concurrency ?? DURABLE_DEFAULTS.concurrency,
    pollIntervalMs: definition.pollIntervalMs ?? DURABLE_DEFAULTS.pollIntervalMs,
    minPollIntervalMs: definition.minPollIntervalMs ?? DURABLE_DEFAULTS.minPollIntervalMs,
    lingerMs: definition.lingerMs ?? DURABLE_DEFAULTS.lingerMs,
    backlogLimit: definition.backlogLimit,
  };
  for (const [key, value] of Object.entries({ ...settings, ...settings.backoff })) {
    if (
      typeof value === 'number' &&
      !(Number.isInteger(value) && value >= (key === 'baseMs' || key === 'lingerMs' ? 0 : 1))
    ) {
      throw new Error(
        `Durable queue "${definition.name}": ${key} must be a positive integer (baseMs and lingerMs may be 0)`,
      );
    }
  }
  return settings;
}
