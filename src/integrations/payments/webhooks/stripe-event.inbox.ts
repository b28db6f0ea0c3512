import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { stripeConfig } from '../stripe.config';
import { uuidv7 } from '../../../core/database/ids';
import { SqlDialect } from '../../../core/database/sql-dialect';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { rowTraceContext } from '../../../core/durable/durable-trace';
import { DurableProcessor } from '../../../core/durable/durable.processor';
import { type DurableQueue, PermanentFailure } from '../../../core/durable/durable.types';
import { isIntegrationError } from '../../../core/errors/integration.error';
import { StripeEventEntity } from '../entities/stripe-event.entity';
import { StripeEventExplorer } from './stripe-event.explorer';
import type { StripeEventContext } from './stripe-event.types';
import type { VerifiedStripeEvent } from './stripe-signature.verifier';

export type StripeEventSource = 'webhook' | 'catch-up';

export const STRIPE_EVENTS_QUEUE = 'stripe-events';

/**
 * Handler slots of the stripe-events queue per instance, by engine (see
 * `onModuleInit`): also how many events a crash can leave half-handled.
 */
export const STRIPE_EVENT_SLOTS = { postgres: 8, sqlite: 48 } as const;

const INSERT = 'INSERT INTO stripe_events (id, event_id, type, livemode, event_created, payload, source, trace_context';
const CONFLICT = 'ON CONFLICT (event_id) DO NOTHING RETURNING id';

/**
 * The Stripe webhook inbox, as one unit: it stores events in `stripe_events`
 * and runs them through the `stripe-events` durable queue (claim with a
 * lease, SKIP LOCKED on PostgreSQL; dispatch to the `@OnStripeEvent`
 * handlers by type; retry with backoff; dead after 8 attempts).
 *
 * Storing is one statement per event — `INSERT … ON CONFLICT (event_id) DO
 * NOTHING RETURNING id` — so the webhook path does no read, a redelivery
 * inserts nothing, and whether the event was new comes back with the
 * insert. An event no handler wants is stored as already `done` (kept for
 * audit and replay). One-shot CLI contexts have no processor: there the
 * inbox only stores, and a running worker picks the rows up.
 */
@Injectable()
export class StripeEventInbox implements OnModuleInit {
  private queue?: DurableQueue;
  private readonly dialect: SqlDialect;
  private readonly insertPending: string;
  private readonly insertDone: string;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly explorer: StripeEventExplorer,
    private readonly transactions: TransactionRunner,
    @Inject(stripeConfig.KEY) private readonly config: ConfigType<typeof stripeConfig>,
    @Optional() @Inject(DurableProcessor) private readonly processor: DurableProcessor | null,
  ) {
    this.dialect = new SqlDialect(dataSource);
    this.insertPending = this.dialect.positional(`${INSERT}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ${CONFLICT}`);
    this.insertDone = this.dialect.positional(
      `${INSERT}, status, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'done', CURRENT_TIMESTAMP) ${CONFLICT}`,
    );
  }

  onModuleInit(): void {
    this.queue = this.processor?.register<StripeEventEntity>({
      name: STRIPE_EVENTS_QUEUE,
      entity: StripeEventEntity,
      handle: (row) => this.dispatch(row),
      // Handlers are short database work; more slots keep a burst of deliveries moving. On SQLite they also put
      // more rows in each claim and more handlers in each group commit: 8 → 16 took a handled event's CPU from
      // about 245 to 200 µs in bench:webhooks (e), 16 → 48 from 197–224 to 150–189 µs (4 alternating rounds).
      // On PostgreSQL each slot's statement holds a pooled connection (DATABASE_POOL_SIZE, 10 by default), and
      // the API needs some too.
      concurrency: this.dialect.postgres ? STRIPE_EVENT_SLOTS.postgres : STRIPE_EVENT_SLOTS.sqlite,
      batchSize: 50,
      leaseMs: this.config.eventLeaseMs,
      backlogLimit: this.config.eventBacklogLimit === 0 ? undefined : this.config.eventBacklogLimit,
      // A provider refusal inside a handler will not change on retry.
      isPermanent: (error) => isIntegrationError(error) && !error.retryable,
      traceAttributes: (row) => ({ 'portico.stripe.event_type': row.type }),
      preview: (row) => row.payload,
    });
  }

  /** Stores the event unless its id is already in the inbox; true when it was new. */
  async store(event: VerifiedStripeEvent, payload: string, source: StripeEventSource): Promise<boolean> {
    const handled = this.explorer.hasHandlers(event.type);
    const result = await this.transactions.write((manager) =>
      this.dialect.run(
        manager,
        handled ? this.insertPending : this.insertDone,
        this.dialect.bindAll([
          uuidv7(),
          event.id,
          event.type,
          event.livemode,
          event.created,
          payload,
          source,
          rowTraceContext(),
        ]),
      ),
    );
    const stored = (result.records?.length ?? 0) > 0;
    const queue = this.queue;
    if (stored && handled && queue !== undefined) {
      this.transactions.afterCommit(() => queue.kick());
      // Stored and committed already: waiting only paces the sender while this instance's handlers catch up.
      await queue.admit();
    }
    return stored;
  }

  /**
   * Handles one claimed row: parses the stored event and runs its handlers
   * in order. A handler's error fails the row, which the queue retries with
   * backoff (all handlers run again: they are idempotent).
   */
  private async dispatch(row: StripeEventEntity): Promise<void> {
    let event: Stripe.Event;
    try {
      event = JSON.parse(row.payload) as Stripe.Event;
    } catch (error) {
      throw new PermanentFailure(`stored event ${row.eventId} is not JSON`, { cause: error });
    }
    const context: StripeEventContext = {
      rowId: row.id,
      source: row.source === 'catch-up' ? 'catch-up' : 'webhook',
      attempt: row.attempts,
    };
    for (const handler of this.explorer.handlersFor(row.type)) {
      await handler.call(event, context);
    }
  }
}
