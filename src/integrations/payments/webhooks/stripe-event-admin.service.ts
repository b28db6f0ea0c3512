import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { ProblemException } from '../../../core/errors/problem.exception';
import { keysetPage, mapPage } from '../../../core/http/pagination';
import { StripeEventEntity } from '../entities/stripe-event.entity';
import type {
  InboxFilter,
  ListStripeEventsQueryDto,
  StripeEventPageDto,
  StripeEventRowDto,
} from './stripe-event-admin.dto';
import { DurableProcessor } from '../../../core/durable/durable.processor';
import { STRIPE_EVENTS_QUEUE } from './stripe-event.inbox';

const STATUSES_BY_FILTER: Readonly<Record<InboxFilter, string[]>> = {
  pending: ['pending', 'processing'],
  processed: ['done'],
  dead: ['dead'],
};

/** Inbox inspection and replay for operators. */
@Injectable()
export class StripeEventAdminService {
  constructor(
    @InjectRepository(StripeEventEntity) private readonly rows: Repository<StripeEventEntity>,
    private readonly processor: DurableProcessor,
  ) {}

  async list(query: ListStripeEventsQueryDto): Promise<StripeEventPageDto> {
    const qb = this.rows
      .createQueryBuilder('e')
      .select([
        'e.id',
        'e.eventId',
        'e.type',
        'e.status',
        'e.attempts',
        'e.lastError',
        'e.source',
        'e.eventCreated',
        'e.createdAt',
        'e.processedAt',
      ]);
    if (query.status !== undefined)
      qb.andWhere('e.status IN (:...statuses)', { statuses: STATUSES_BY_FILTER[query.status] });
    const page = await keysetPage(qb, query, { list: 'stripe-events' });
    const counted = await this.rows
      .createQueryBuilder('e')
      .select('e.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('e.status')
      .getRawMany<{ status: string; count: string | number }>();
    return {
      ...mapPage(page, rowView),
      counts: Object.fromEntries(counted.map((c) => [c.status, Number(c.count)])),
    };
  }

  /** Puts a dead (or done) event back to pending; `id` is the row id or Stripe's event id. */
  async replay(id: string): Promise<StripeEventRowDto> {
    const row = await this.rows.findOne({ where: id.startsWith('evt_') ? { eventId: id } : { id } });
    if (row === null)
      throw new ProblemException(404, `No stored Stripe event ${id}`, { slug: 'not-found', title: 'Not Found' });
    const queue = this.processor.queue(STRIPE_EVENTS_QUEUE);
    if (queue === undefined)
      throw new ProblemException(503, 'The event processor is not running', {
        slug: 'processor-unavailable',
        title: 'Processor unavailable',
      });
    if (row.status === 'pending' || row.status === 'processing') {
      throw new ProblemException(
        409,
        `Event ${row.eventId} is ${row.status}; only processed or dead events can be replayed`,
        { slug: 'event-not-replayable', title: 'Event not replayable' },
      );
    }
    await queue.replay(row.id); // kicks the queue when it replayed the row
    const updated = await this.rows.findOneOrFail({
      where: { id: row.id },
      select: {
        id: true,
        eventId: true,
        type: true,
        status: true,
        attempts: true,
        lastError: true,
        source: true,
        eventCreated: true,
        createdAt: true,
        processedAt: true,
      },
    });
    return rowView(updated);
  }

  counts(statuses: readonly string[]): Promise<number> {
    return this.rows.countBy({ status: In([...statuses]) });
  }
}

function rowView(row: StripeEventEntity): StripeEventRowDto {
  return {
    id: row.id,
    eventId: row.eventId,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    source: row.source,
    eventCreated: new Date(row.eventCreated * 1000).toISOString(),
    receivedAt: row.createdAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
  };
}
