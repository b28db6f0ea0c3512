import { createHash } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { uuidv7 } from '../../../core/database/ids';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { rowTraceContext } from '../../../core/durable/durable-trace';
import { DurableProcessor } from '../../../core/durable/durable.processor';
import type { DurableQueue } from '../../../core/durable/durable.types';
import { SendGridEventRecord } from '../entities/sendgrid-event.entity';
import { EmailEventApplier } from './email-event.applier';

/** One event of SendGrid's webhook batch (only the fields we rely on are typed). */
export interface SendGridWebhookEvent {
  readonly event: string;
  readonly sg_event_id?: string;
  readonly sg_message_id?: string;
  readonly email?: string;
  readonly timestamp?: number;
  readonly [field: string]: unknown;
}

/** Rows per INSERT: well under SQLite's bound-parameter limit. */
const CHUNK = 200;

/**
 * The SendGrid event inbox: events are stored (once per `sg_event_id`)
 * before SendGrid gets its 2xx, then applied to their messages by the
 * durable processor, so a crash between the two loses nothing.
 */
@Injectable()
export class SendGridEventsInbox implements OnModuleInit {
  private queue?: DurableQueue;

  constructor(
    private readonly processor: DurableProcessor,
    private readonly transactions: TransactionRunner,
    private readonly applier: EmailEventApplier,
  ) {}

  onModuleInit(): void {
    this.queue = this.processor.register<SendGridEventRecord>({
      name: 'sendgrid-events',
      entity: SendGridEventRecord,
      handle: (record) => this.applier.apply(record),
      concurrency: 4,
      pollIntervalMs: 1_000,
    });
  }

  /** Stores the batch; an event already stored (same sg_event_id) is skipped. */
  async store(events: readonly SendGridWebhookEvent[]): Promise<void> {
    const now = new Date();
    const traceContext = rowTraceContext();
    const rows = events.map((event) => ({
      id: uuidv7(now.getTime()),
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
      sgEventId: eventIdOf(event),
      event: event.event.slice(0, 32),
      payload: JSON.stringify(event),
      traceContext,
    }));
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.transactions.write((manager) =>
        manager
          .createQueryBuilder()
          .insert()
          .into(SendGridEventRecord)
          .values(rows.slice(i, i + CHUNK))
          .orIgnore()
          .updateEntity(false)
          .execute(),
      );
    }
    this.transactions.afterCommit(() => this.queue?.kick());
  }
}

/** SendGrid's `sg_event_id`, or (for an event without one) a digest of the event itself. */
function eventIdOf(event: SendGridWebhookEvent): string {
  if (typeof event.sg_event_id === 'string' && event.sg_event_id !== '' && event.sg_event_id.length <= 255)
    return event.sg_event_id;
  return `sha256:${createHash('sha256').update(JSON.stringify(event)).digest('hex')}`;
}
