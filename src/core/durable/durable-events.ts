import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7 } from '../database/ids';
import { findDecoratedMethods } from '../discovery/decorated-methods';
import { SqlDialect } from '../database/sql-dialect';
import { DurableEventEntity } from './durable-event.entity';
import { rowTraceContext } from './durable-trace';
import { DurableProcessor } from './durable.processor';
import type { DurableQueue } from './durable.types';
import { PermanentFailure } from './durable.types';
import { type DurableEventMetadata, ON_DURABLE_EVENT } from './on-durable-event.decorator';

export const DURABLE_EVENTS_QUEUE = 'durable-events';

type Consumer = (payload: unknown) => Promise<void> | void;

/** A consumer of one event name, and whether it wants a given payload (see `OnDurableEventOptions.when`). */
interface Subscription {
  readonly consumer: string;
  readonly wants?: (payload: object) => boolean;
}

/**
 * Durable reactions. `publish` records a domain event once per durable
 * consumer (`@OnDurableEvent`) through the caller's transaction manager, so
 * the reaction commits or rolls back with the state change; the
 * `durable-events` queue then delivers each row at least once. A crash
 * between the change and the reaction loses nothing: the row is there.
 */
@Injectable()
export class DurableEvents implements OnModuleInit {
  private readonly logger = new Logger('DurableEvents');
  private readonly consumers = new Map<string, Consumer>();
  private readonly byEvent = new Map<string, Subscription[]>();
  private readonly dialect: SqlDialect;
  private queue?: DurableQueue;

  constructor(
    private readonly dataSource: DataSource,
    private readonly processor: DurableProcessor,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {
    this.dialect = new SqlDialect(dataSource);
  }

  onModuleInit(): void {
    for (const { name: consumer, metadata, call, instance } of findDecoratedMethods<DurableEventMetadata, Consumer>(
      this.discovery,
      this.scanner,
      this.reflector,
      ON_DURABLE_EVENT,
    )) {
      const { name, when } = metadata;
      this.consumers.set(consumer, call);
      const wants = when === undefined ? undefined : (payload: object) => when(instance, payload);
      this.byEvent.set(name, [...(this.byEvent.get(name) ?? []), { consumer, wants }]);
      this.logger.log(`${name} → ${consumer} (durable${when === undefined ? '' : ', when it wants the payload'})`);
    }
    this.queue = this.processor.register<DurableEventEntity>({
      name: DURABLE_EVENTS_QUEUE,
      entity: DurableEventEntity,
      handle: (row) => this.deliver(row),
      // Consumers are short database work (queue an email); more slots mean larger claims under a burst.
      concurrency: 16,
      batchSize: 50,
      pollIntervalMs: 500,
    });
  }

  /** Whether anything consumes `name` durably (publishers may skip building the payload otherwise). */
  hasConsumers(name: string): boolean {
    return this.byEvent.has(name);
  }

  /** Whether `publish(…, name, …, payload)` would record anything: a consumer of `name` wants this payload. */
  wants(name: string, payload: object): boolean {
    return this.consumersFor(name, payload).length > 0;
  }

  /** The consumers of `name` that want `payload` (a `when` filter may decline it). */
  private consumersFor(name: string, payload: object): string[] {
    return (this.byEvent.get(name) ?? [])
      .filter((subscription) => subscription.wants?.(payload) ?? true)
      .map((subscription) => subscription.consumer);
  }

  /**
   * Records `name` for each durable consumer that wants `payload`, inside the
   * transaction `manager` belongs to. `dedupeKey` names the change (e.g.
   * `<paymentId>:<version>`): publishing it again records nothing. Call
   * `kick()` after the commit.
   */
  async publish(manager: EntityManager, name: string, dedupeKey: string, payload: object): Promise<number> {
    const consumers = this.consumersFor(name, payload);
    if (consumers.length === 0) return 0;
    const json = JSON.stringify(payload);
    const traceContext = rowTraceContext();
    let recorded = 0;
    for (const consumer of consumers) {
      const result = await this.dialect.execute(
        manager,
        'INSERT INTO durable_events (id, name, consumer, dedupe_key, payload, trace_context) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (consumer, dedupe_key) DO NOTHING',
        [uuidv7(), name, consumer, dedupeKey, json, traceContext],
      );
      recorded += result.affected ?? 0;
    }
    return recorded;
  }

  /** Delivers recorded events now instead of at the next poll (after the publishing transaction committed). */
  kick(): void {
    this.queue?.kick();
  }

  private async deliver(row: DurableEventEntity): Promise<void> {
    const consumer = this.consumers.get(row.consumer);
    // A consumer renamed or removed since the row was written: nothing here can deliver it.
    if (consumer === undefined) throw new PermanentFailure(`no durable consumer ${row.consumer} in this build`);
    let payload: unknown;
    try {
      payload = JSON.parse(row.payload);
    } catch (error) {
      throw new PermanentFailure(`durable event ${row.id} is not JSON`, { cause: error });
    }
    await consumer(payload);
  }
}
