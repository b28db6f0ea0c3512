import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { In, IsNull } from 'typeorm';
import { emailConfig } from '../../../config/email.config';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { DurableProcessor } from '../../../core/durable/durable.processor';
import { type DurableQueue, PermanentFailure } from '../../../core/durable/durable.types';
import { isIntegrationError } from '../../../core/errors/integration.error';
import { EmailMessage } from '../entities/email-message.entity';
import { statusesBefore } from '../email-status';
import { SuppressionGate } from '../suppressions/suppression-gate';
import { type EmailAccount, InjectEmailAccount } from '../transports/email-account.port';
import {
  type EmailTransport,
  InjectEmailTransport,
  type OutgoingAttachment,
  type OutgoingEmail,
} from '../transports/email-transport.port';
import { AttachmentReader } from '../attachments/attachment-reader';
import { TransportHealth } from '../transports/transport-health';
import { BatchClaimer } from './batch-claimer';

/**
 * The email outbox: the durable processor claims due `emails` rows and this
 * class sends them (alone, or with same-content siblings when EMAIL_BATCH is
 * on). Success marks them `sent`; a retryable error reschedules them (at
 * least as late as SendGrid asked); a refusal (400/401/403/413) dead-letters
 * them at once, replayable through `POST /admin/emails/:id/retry`.
 */
@Injectable()
export class EmailOutbox implements OnModuleInit {
  private readonly logger = new Logger('EmailOutbox');
  private queue?: DurableQueue;

  constructor(
    private readonly processor: DurableProcessor,
    @InjectEmailTransport() private readonly transport: EmailTransport,
    @Inject(emailConfig.KEY) private readonly config: ConfigType<typeof emailConfig>,
    private readonly health: TransportHealth,
    private readonly batches: BatchClaimer,
    private readonly transactions: TransactionRunner,
    private readonly suppressions: SuppressionGate,
    private readonly attachments: AttachmentReader,
    @InjectEmailAccount() private readonly account: EmailAccount,
  ) {}

  onModuleInit(): void {
    this.queue = this.processor.register<EmailMessage>({
      name: 'emails',
      entity: EmailMessage,
      handle: (row) => this.send(row),
      maxAttempts: this.config.maxAttempts,
      backoff: { baseMs: this.config.retryBaseMs, capMs: this.config.retryCapMs },
      concurrency: this.config.concurrency,
      batchSize: this.config.concurrency,
      leaseMs: this.config.leaseMs,
      pollIntervalMs: 500,
      // The retry route records the failure in the message's history before queueing it again.
      replayPath: '/admin/emails/{id}/retry',
    });
  }

  /** Sends now instead of at the next poll (after a message was stored). */
  kick(): void {
    this.queue?.kick();
  }

  async replay(id: string): Promise<boolean> {
    return this.queue?.replay(id) ?? false;
  }

  /** Handles one claimed row, and its batch siblings when batching is on. */
  async send(row: EmailMessage): Promise<void> {
    if (row.emailStatus === 'cancelled' || row.emailStatus === 'suppressed') {
      // Cancelled or suppressed while it waited (or claimed at that moment): it never sends.
      this.logger.log({ id: row.id, emailStatus: row.emailStatus }, 'Email not sent');
      return;
    }
    if (row.emailStatus !== 'queued' && row.emailStatus !== 'failed') {
      // SendGrid already reported on this message (event webhook) while our record of the send was
      // lost, e.g. the process died between SendGrid's 202 and our commit: sending again would duplicate it.
      this.logger.warn(
        { id: row.id, emailStatus: row.emailStatus },
        'Email already known to SendGrid; not sending again',
      );
      return;
    }
    const claimed = this.config.batch ? await this.batches.claimSiblings(row) : [];
    // Just before sending: an address may have bounced or unsubscribed since the message was accepted.
    const screened = await this.suppressions.screen([row, ...claimed]);
    await this.suppressions.recordAtSend(screened);
    if (screened[0].allSuppressed) {
      // Nobody left to send the leader to (the processor completes it); its siblings go back untouched.
      await this.batches.giveBack(claimed);
      return;
    }
    const finished = screened.filter((s) => s.allSuppressed).map((s) => s.row);
    if (finished.length > 0) await this.batches.complete(finished, new Date());
    const siblings = screened
      .slice(1)
      .filter((s) => !s.allSuppressed)
      .map((s) => s.row);
    const rows = [row, ...siblings];
    if (row.sendAt !== null && row.sendgridBatchId === null) row.sendgridBatchId = await this.batchIdFor(row);
    try {
      const { providerMessageId } = await this.attachments.withContent(row, (attachments) =>
        this.transport.send(toOutgoing(rows, attachments)),
      );
      this.health.succeeded();
      await this.markSent(rows, providerMessageId);
    } catch (error: unknown) {
      this.health.failed(error);
      if (siblings.length > 0) await this.batches.release(siblings, error);
      if (isIntegrationError(error) && !error.retryable) {
        // A refusal of a batch may be caused by one of its messages: each is tried alone next time.
        if (siblings.length > 0) {
          await this.batches.sendAlone([row.id]);
          throw error;
        }
        throw new PermanentFailure(error.message, { cause: error });
      }
      throw error;
    }
  }

  /**
   * A scheduled message's SendGrid batch id, stored before the hand-over:
   * with it `POST /emails/:id/cancel` can still cancel at SendGrid, and a
   * retried hand-over reuses it.
   */
  private async batchIdFor(row: EmailMessage): Promise<string> {
    const batchId = await this.account.createBatch();
    await this.transactions.write((manager) =>
      manager.update(EmailMessage, { id: row.id, sendgridBatchId: IsNull() }, { sendgridBatchId: batchId }),
    );
    const stored = await this.transactions.write((manager) =>
      manager.findOne(EmailMessage, { where: { id: row.id }, select: { id: true, sendgridBatchId: true } }),
    );
    return stored?.sendgridBatchId ?? batchId;
  }

  private async markSent(rows: readonly EmailMessage[], providerMessageId: string): Promise<void> {
    const now = new Date();
    const forward = statusesBefore('sent')
      .map((status) => `'${status}'`)
      .join(', ');
    await this.transactions.write((manager) =>
      manager
        .createQueryBuilder()
        .update(EmailMessage)
        // Forward only: a webhook event may already have moved a message past `sent`.
        .set({
          emailStatus: () => `CASE WHEN email_status IN (${forward}) THEN 'sent' ELSE email_status END`,
          providerMessageId,
          transport: this.transport.name,
          sentAt: now,
        })
        .where({ id: In(rows.map((r) => r.id)) })
        .execute(),
    );
    // The leader row is completed by the processor; siblings were claimed by us.
    if (rows.length > 1) await this.batches.complete(rows.slice(1), now);
  }
}

/** One request for one or more rows that share their content (see batchKeyOf). */
export function toOutgoing(rows: readonly EmailMessage[], attachments?: readonly OutgoingAttachment[]): OutgoingEmail {
  const [first] = rows;
  return {
    asm:
      first.asmGroupId === null
        ? undefined
        : { groupId: first.asmGroupId, groupsToDisplay: first.asmGroupsToDisplay ?? undefined },
    batchId: first.sendgridBatchId ?? undefined,
    attachments: attachments === undefined || attachments.length === 0 ? undefined : attachments,
    from: first.fromName ? { email: first.fromEmail, name: first.fromName } : { email: first.fromEmail },
    replyTo: first.replyTo ?? undefined,
    subject: first.subject ?? undefined,
    text: first.text ?? undefined,
    html: first.html ?? undefined,
    templateId: first.templateId ?? undefined,
    categories: first.categories ?? undefined,
    sendAt: first.sendAt ?? undefined,
    personalizations: rows.map((row) => ({
      messageId: row.id,
      to: row.to,
      cc: row.cc ?? [],
      bcc: row.bcc ?? [],
      ...(row.kind === 'template' ? { templateData: row.templateData ?? {} } : {}),
    })),
  };
}
