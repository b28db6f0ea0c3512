import { createHash } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type EntityManager, type Repository, type SelectQueryBuilder } from 'typeorm';
import { emailConfig } from '../../config/email.config';
import { uuidv7, UUID_PATTERN } from '../../core/database/ids';
import { TransactionRunner } from '../../core/database/transaction-runner';
import { rowTraceContext } from '../../core/durable/durable-trace';
import { ProblemException } from '../../core/errors/problem.exception';
import { keysetPage, mapPage } from '../../core/http/pagination';
import type { EmailPageView } from './dto/email.views';
import type { ListEmailsQuery } from './dto/list-emails.query';
import { EmailEvent } from './entities/email-event.entity';
import { type EmailAttachmentRef, EmailMessage } from './entities/email-message.entity';
import { type DeliverabilityConfig, type Sender, deliverabilityConfig } from './deliverability.config';
import { SuppressionGate } from './suppressions/suppression-gate';
import { toSummaryView } from './email.mapper';
import { EmailOutbox } from './outbox/email-outbox';
import { asJsonObject } from './json';

/** A message to queue, already validated (DTOs or a domain event). */
export interface NewEmail {
  readonly kind: 'plain' | 'template';
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  readonly templateId?: string;
  readonly templateData?: Readonly<Record<string, unknown>>;
  readonly replyTo?: string;
  readonly categories?: readonly string[];
  readonly sendAt?: Date;
  /** One of EMAIL_SENDERS (already checked against the caller's grants); default EMAIL_FROM. */
  readonly from?: Sender;
  readonly asmGroupId?: number;
  readonly asmGroupsToDisplay?: readonly number[];
  readonly bypassGroupUnsubscribes?: boolean;
  /** Stored files, already checked (readable by the caller, within the limits). */
  readonly attachments?: readonly EmailAttachmentRef[];
  /** Same key (per owner) → the first message is returned, nothing new is queued. */
  readonly idempotencyKey?: string;
}

/** Who may see which messages: owners their own, admins all. */
export interface EmailReader {
  readonly ownerId: string;
  readonly admin: boolean;
}

/** Accepts messages into the outbox and reads them back. */
@Injectable()
export class EmailsService {
  constructor(
    @InjectRepository(EmailMessage) private readonly messages: Repository<EmailMessage>,
    @InjectRepository(EmailEvent) private readonly events: Repository<EmailEvent>,
    @Inject(emailConfig.KEY) private readonly config: ConfigType<typeof emailConfig>,
    @Inject(deliverabilityConfig.KEY) private readonly deliverability: DeliverabilityConfig,
    private readonly outbox: EmailOutbox,
    private readonly transactions: TransactionRunner,
    private readonly suppressions: SuppressionGate,
  ) {}

  /**
   * Stores the message (the outbox row) and returns it; the outbox sends it
   * after the caller has its 202. Nothing is accepted that is not stored.
   * `admit` runs once the message is known to be new (a repeated idempotency
   * key returns the first message without it): quotas refuse there.
   * Suppressed recipients are taken off first (recorded `suppressed` in the
   * history); with nobody left the message is stored already `suppressed`.
   */
  async queue(ownerId: string, input: NewEmail, admit?: () => Promise<void>): Promise<EmailMessage> {
    if (input.idempotencyKey !== undefined) {
      const existing = await this.messages.findOneBy({ ownerId, idempotencyKey: input.idempotencyKey });
      if (existing) return existing;
    }
    await admit?.();
    const row = this.build(ownerId, input);
    const [screened] = await this.suppressions.screen([row]);
    if (screened.allSuppressed)
      Object.assign(row, { status: 'done', emailStatus: 'suppressed', processedAt: row.createdAt });
    const history = this.suppressions.historyOf(screened, 'accept', row.createdAt);
    try {
      // updateEntity(false): every column is set here, so TypeORM need not read the row back.
      const insert = (manager: EntityManager) =>
        manager.createQueryBuilder().insert().into(EmailMessage).values(row).updateEntity(false).execute();
      if (history.length === 0) await this.transactions.write(insert);
      else
        await this.transactions.run(async (manager) => {
          await insert(manager);
          await manager.createQueryBuilder().insert().into(EmailEvent).values(history).updateEntity(false).execute();
        });
    } catch (error: unknown) {
      // Two requests with the same idempotency key at once: the unique index let one in.
      if (input.idempotencyKey !== undefined) {
        const existing = await this.messages.findOneBy({ ownerId, idempotencyKey: input.idempotencyKey });
        if (existing) return existing;
      }
      throw error;
    }
    // Once the row is visible to the outbox: at once, or after the caller's transaction when this joined one.
    if (!screened.allSuppressed) this.transactions.afterCommit(() => this.outbox.kick());
    return row;
  }

  /** The message if `reader` may see it; another owner's message is "not found". */
  async find(reader: EmailReader, id: string): Promise<{ row: EmailMessage; events: EmailEvent[] }> {
    if (!UUID_PATTERN.test(id)) throw new NotFoundException(`No email ${id}`);
    // History first, then the message: the event applier moves the status before it writes the history entry, so a
    // message read after its history is at least as far along as every status that history shows. (Read the other
    // way round, two statements without a shared snapshot could show `delivered` in the history and `sent` above it.)
    const events = await this.events.find({ where: { emailId: id }, order: { occurredAt: 'ASC', id: 'ASC' } });
    const row = await this.messages.findOneBy(reader.admin ? { id } : { id, ownerId: reader.ownerId });
    if (!row) throw new NotFoundException(`No email ${id}`);
    return { row, events };
  }

  async list(reader: EmailReader, query: ListEmailsQuery): Promise<EmailPageView> {
    const qb = this.messages.createQueryBuilder('e');
    if (!reader.admin) qb.andWhere('e.owner_id = :owner', { owner: reader.ownerId });
    if (query.to !== undefined) {
      // `_` and `%` are valid in addresses but wildcards in LIKE.
      const literal = query.to.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      qb.andWhere("e.recipients_index LIKE :to ESCAPE '\\'", { to: `%,${literal},%` });
    }
    if (query.status !== undefined) filterByStatus(qb, query.status);
    return mapPage(await keysetPage(qb, query, { list: 'emails' }), toSummaryView);
  }

  /** Puts a failed (dead-lettered) message back into the outbox with its attempts reset. */
  async retry(id: string): Promise<EmailMessage> {
    const { row } = await this.find({ ownerId: '', admin: true }, id);
    if (row.status !== 'dead') {
      throw new ProblemException(
        409,
        `Email ${id} has not failed (status ${row.emailStatus}); only failed messages can be retried`,
        { slug: 'email-not-failed', title: 'Email not failed' },
      );
    }
    await this.messages.update({ id }, { emailStatus: 'queued' });
    // The failure becomes history before the message is queued again.
    await this.events.insert([
      {
        id: uuidv7(),
        emailId: id,
        status: 'failed',
        occurredAt: row.processedAt ?? row.updatedAt,
        detail: { error: row.lastError, attempts: row.attempts },
      },
      { id: uuidv7(), emailId: id, status: 'queued', occurredAt: new Date(), detail: { retry: true } },
    ]);
    await this.outbox.replay(id);
    return (await this.find({ ownerId: '', admin: true }, id)).row;
  }

  private build(ownerId: string, input: NewEmail): EmailMessage {
    const now = new Date();
    const asked = { to: [...input.to], cc: [...(input.cc ?? [])], bcc: [...(input.bcc ?? [])] };
    const redirect = this.config.redirectAllTo;
    const actual = redirect === undefined ? asked : { to: [redirect], cc: [], bcc: [] };
    const replyTo = input.replyTo ?? this.config.replyTo ?? null;
    const asmGroupId = input.asmGroupId ?? this.defaultGroupOf(input.categories) ?? null;
    // Object.assign, not repository.create: the values are already entity-shaped, and create() is slow on the hot path.
    const row = Object.assign(new EmailMessage(), {
      id: uuidv7(now.getTime()),
      status: 'pending',
      attempts: 0,
      // A scheduled send stays in our outbox (cancellable for free) until shortly before its time.
      nextAttemptAt: handoverAt(input.sendAt, now, this.deliverability.handoverMs),
      lockedUntil: null,
      lockedBy: null,
      lastError: null,
      processedAt: null,
      traceContext: rowTraceContext(),
      createdAt: now,
      updatedAt: now,
      ownerId,
      kind: input.kind,
      emailStatus: 'queued',
      fromEmail: input.from?.email ?? this.config.from,
      fromName: input.from === undefined ? (this.config.fromName ?? null) : (input.from.name ?? null),
      replyTo,
      to: actual.to,
      cc: actual.cc.length > 0 ? actual.cc : null,
      bcc: actual.bcc.length > 0 ? actual.bcc : null,
      originalRecipients: redirect === undefined ? null : asked,
      recipientsIndex: recipientsIndex([...asked.to, ...asked.cc, ...asked.bcc, ...actual.to]),
      subject: input.subject ?? null,
      text: input.text ?? null,
      html: input.html ?? null,
      templateId: input.templateId ?? null,
      templateData:
        input.templateData === undefined
          ? input.kind === 'template'
            ? {}
            : null
          : asJsonObject({ ...input.templateData }),
      categories: input.categories === undefined ? null : [...input.categories],
      sendAt: input.sendAt ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      providerMessageId: null,
      transport: null,
      sentAt: null,
      asmGroupId,
      asmGroupsToDisplay: input.asmGroupsToDisplay === undefined ? null : [...input.asmGroupsToDisplay],
      bypassGroupUnsubscribes: input.bypassGroupUnsubscribes ?? false,
      sendgridBatchId: null,
      attachments: input.attachments === undefined || input.attachments.length === 0 ? null : [...input.attachments],
    });
    // Attachments are large and scheduled sends get a batch id of their own: neither ever shares a request.
    row.batchKey = row.attachments !== null || row.sendAt !== null ? row.id : batchKeyOf(row);
    return row;
  }

  hasDefaultGroup(categories: readonly string[] | undefined): boolean {
    return this.defaultGroupOf(categories) !== undefined;
  }

  /** The configured group of the message's first category that has one. */
  private defaultGroupOf(categories: readonly string[] | undefined): number | undefined {
    for (const category of categories ?? []) {
      const group = this.deliverability.groupByCategory.get(category);
      if (group !== undefined) return group;
    }
    return undefined;
  }
}

/** Messages whose request bodies differ only in recipients (and template data) share a key. */
export function batchKeyOf(row: EmailMessage): string {
  const shared = [
    row.kind,
    row.fromEmail,
    row.fromName,
    row.replyTo,
    row.subject,
    row.text,
    row.html,
    row.templateId,
    row.categories,
    row.sendAt?.toISOString() ?? null,
    row.asmGroupId,
    row.asmGroupsToDisplay,
    row.bypassGroupUnsubscribes,
  ];
  return createHash('sha256').update(JSON.stringify(shared)).digest('hex');
}

/** When a message is due in our outbox: now, or `handoverMs` before its `sendAt`. */
export function handoverAt(sendAt: Date | undefined, now: Date, handoverMs: number): Date {
  if (sendAt === undefined) return now;
  return new Date(Math.max(now.getTime(), sendAt.getTime() - handoverMs));
}

function recipientsIndex(addresses: readonly string[]): string {
  return `,${[...new Set(addresses.map((a) => a.toLowerCase()))].join(',')},`;
}

function filterByStatus(qb: SelectQueryBuilder<EmailMessage>, status: string): void {
  // Mirrors apiStatusOf (email.mapper.ts): dead unsent rows are failed, claimed queued rows are sending.
  if (status === 'failed') {
    qb.andWhere(
      new Brackets((w) =>
        w
          .where("e.status = 'dead' AND e.email_status IN ('queued', 'sending', 'failed')")
          .orWhere("e.email_status = 'failed'"),
      ),
    );
  } else if (status === 'sending') {
    qb.andWhere("e.status = 'processing' AND e.email_status = 'queued'");
  } else if (status === 'opened' || status === 'clicked') {
    qb.andWhere('EXISTS (SELECT 1 FROM email_events h WHERE h.email_id = e.id AND h.status = :event)', {
      event: status,
    });
  } else if (status === 'queued') {
    qb.andWhere("e.email_status = 'queued' AND e.status IN ('pending', 'done')");
  } else {
    qb.andWhere('e.email_status = :status', { status });
  }
}
