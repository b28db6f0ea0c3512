import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { UUID_PATTERN } from '../../../core/database/ids';
import { EmailEvent } from '../entities/email-event.entity';
import { EmailMessage } from '../entities/email-message.entity';
import type { SendGridEventRecord } from '../entities/sendgrid-event.entity';
import { type EmailStatus, isStoredStatus, movesForward, statusesBefore } from '../email-status';
import { MESSAGE_ID_ARG } from '../transports/email-transport.port';
import type { JsonObject } from '../json';
import { SuppressionLedger } from '../suppressions/suppression-ledger';

/** SendGrid event names → our statuses; unsubscribe events change only the suppression ledger. */
const STATUS_OF_EVENT: Readonly<Record<string, EmailStatus>> = {
  processed: 'sent',
  deferred: 'deferred',
  delivered: 'delivered',
  bounce: 'bounced',
  dropped: 'dropped',
  spamreport: 'spamreport',
  open: 'opened',
  click: 'clicked',
};

const DETAIL_FIELDS = [
  'email',
  'reason',
  'response',
  'status',
  'type',
  'bounce_classification',
  'attempt',
  'url',
  'useragent',
] as const;

/**
 * Applies one stored SendGrid event to its message: found by our id in the
 * event's custom args, else by SendGrid's message id (the part before the
 * first dot is the X-Message-Id we stored). The message's history gets the
 * event; its status moves only forward, and opened/clicked are history only.
 */
@Injectable()
export class EmailEventApplier {
  private readonly logger = new Logger('SendGridEvents');

  constructor(
    @InjectRepository(EmailMessage) private readonly messages: Repository<EmailMessage>,
    @InjectRepository(EmailEvent) private readonly events: Repository<EmailEvent>,
    private readonly ledger: SuppressionLedger,
  ) {}

  async apply(record: SendGridEventRecord): Promise<void> {
    const payload = JSON.parse(record.payload) as JsonObject;
    const seconds = typeof payload.timestamp === 'number' ? payload.timestamp : Number(payload.timestamp);
    const occurredAt = Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : record.createdAt;
    // The ledger first, and for any address: a bounce of another system's message on this account counts too.
    await this.ledger.applyEvent(record.sgEventId, record.event, payload, occurredAt);
    const status = STATUS_OF_EVENT[record.event];
    if (status === undefined) return;
    const message = await this.findMessage(payload);
    if (!message) {
      // Stored for the record; maybe a message of another system on the same SendGrid account.
      this.logger.warn({ sgEventId: record.sgEventId, event: record.event }, 'SendGrid event for an unknown message');
      return;
    }
    const detail: JsonObject = { sgEventId: record.sgEventId };
    for (const field of DETAIL_FIELDS) if (payload[field] !== undefined) detail[field] = payload[field];
    if (isStoredStatus(status) && movesForward(message.emailStatus, status)) {
      // Conditional: a concurrent event may have moved the message further meanwhile.
      await this.messages.update({ id: message.id, emailStatus: In(statusesBefore(status)) }, { emailStatus: status });
    }
    // History last: once an event shows there, its status change has been made. The entry takes the inbox row's
    // id, so a row processed again (its worker died after this insert, before the row was marked done) adds no
    // second entry.
    await this.events
      .createQueryBuilder()
      .insert()
      .values({ id: record.id, emailId: message.id, status, occurredAt, detail })
      .orIgnore()
      .execute();
  }

  private async findMessage(payload: JsonObject): Promise<EmailMessage | null> {
    const customArgs =
      typeof payload.custom_args === 'object' && payload.custom_args !== null
        ? (payload.custom_args as Record<string, unknown>)
        : {};
    const ours = payload[MESSAGE_ID_ARG] ?? customArgs[MESSAGE_ID_ARG];
    if (typeof ours === 'string' && UUID_PATTERN.test(ours)) {
      const byId = await this.messages.findOneBy({ id: ours });
      if (byId) return byId;
    }
    const sgMessageId = payload.sg_message_id;
    if (typeof sgMessageId !== 'string' || sgMessageId === '') return null;
    const candidates = await this.messages.find({
      where: { providerMessageId: sgMessageId.split('.')[0] },
      take: 1000,
    });
    if (candidates.length <= 1) return candidates[0] ?? null;
    // One request carried several of our messages (a batch): the recipient tells them apart.
    const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : undefined;
    return candidates.find((c) => email !== undefined && c.recipientsIndex.includes(`,${email},`)) ?? null;
  }
}
