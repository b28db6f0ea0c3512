import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, type Repository } from 'typeorm';
import { uuidv7 } from '../../../core/database/ids';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { DurableStore } from '../../../core/durable/durable.store';
import { isIntegrationError } from '../../../core/errors/integration.error';
import { ProblemException } from '../../../core/errors/problem.exception';
import { EmailEvent } from '../entities/email-event.entity';
import { EmailMessage } from '../entities/email-message.entity';
import { type EmailAccount, InjectEmailAccount } from '../transports/email-account.port';

const tooLate = (id: string, why: string): ProblemException =>
  new ProblemException(409, `Email ${id} can no longer be cancelled: ${why}`, {
    slug: 'email-not-cancellable',
    title: 'Email not cancellable',
  });

/**
 * Cancels scheduled sends. While the message waits in our outbox (until
 * EMAIL_SCHEDULE_HANDOVER_MINUTES before `sendAt`) the cancel is local and
 * free; once handed over, SendGrid cancels its batch (it refuses later than
 * 10 minutes before `sendAt`). A cancelled message never sends.
 */
@Injectable()
export class ScheduledSends {
  private readonly store: DurableStore<EmailMessage>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @InjectRepository(EmailMessage) private readonly messages: Repository<EmailMessage>,
    private readonly transactions: TransactionRunner,
    @InjectEmailAccount() private readonly account: EmailAccount,
  ) {
    this.store = new DurableStore(dataSource, EmailMessage, transactions);
  }

  /**
   * @throws ProblemException 409 when the message is not scheduled, its
   * `sendAt` has passed, it is being handed over right now, or SendGrid
   * refuses to cancel its batch (too close to `sendAt`).
   */
  async cancel(row: EmailMessage): Promise<void> {
    if (row.emailStatus === 'cancelled') return;
    if (row.sendAt === null) throw tooLate(row.id, 'it was not scheduled (no sendAt)');
    const now = new Date();
    if (now >= row.sendAt) throw tooLate(row.id, `its sendAt (${row.sendAt.toISOString()}) has passed`);
    const unsent = row.emailStatus === 'queued' || row.emailStatus === 'failed';
    if (unsent && row.providerMessageId === null && (row.status === 'pending' || row.status === 'dead')) {
      if (await this.cancelInOutbox(row, now)) return;
      row = (await this.messages.findOneBy({ id: row.id })) ?? row;
    }
    if (row.status === 'processing' && row.providerMessageId === null)
      throw new ProblemException(409, `Email ${row.id} is being handed over to SendGrid; try again in a few seconds`, {
        slug: 'email-handover-in-progress',
        title: 'Hand-over in progress',
        headers: { 'Retry-After': '5' },
      });
    if (row.sendgridBatchId === null || row.providerMessageId === null || !['sent', 'queued'].includes(row.emailStatus))
      throw tooLate(row.id, `it is ${row.emailStatus}`);
    try {
      await this.account.cancelBatch(row.sendgridBatchId);
    } catch (error: unknown) {
      if (isIntegrationError(error) && !error.retryable && error.upstreamStatus === 400)
        throw tooLate(row.id, 'SendGrid refused to cancel its batch (it must be at least 10 minutes before sendAt)');
      throw error;
    }
    await this.transactions.run(async (manager) => {
      await manager.update(
        EmailMessage,
        { id: row.id, emailStatus: In(['sent', 'queued']) },
        { emailStatus: 'cancelled' },
      );
      await manager.insert(EmailEvent, this.cancelledEvent(row.id, now, 'sendgrid'));
    });
  }

  /**
   * Still in our outbox: `cancelled` (with its history) while no worker holds
   * it, then settled as done. In that order: a worker that claims it in
   * between, or after a crash between the two, finds it cancelled and sends
   * nothing (EmailOutbox.send skips messages that are not queued).
   */
  private async cancelInOutbox(row: EmailMessage, now: Date): Promise<boolean> {
    const cancelled = await this.transactions.run(async (manager) => {
      const result = await manager.update(
        EmailMessage,
        { id: row.id, status: In(['pending', 'dead']), emailStatus: In(['queued', 'failed']) },
        { emailStatus: 'cancelled' },
      );
      if ((result.affected ?? 0) === 0) return false;
      await manager.insert(EmailEvent, this.cancelledEvent(row.id, now, 'outbox'));
      return true;
    });
    if (cancelled) await this.store.settle(row.id, now);
    return cancelled;
  }

  private cancelledEvent(emailId: string, at: Date, where: 'outbox' | 'sendgrid'): EmailEvent {
    return Object.assign(new EmailEvent(), {
      id: uuidv7(at.getTime()),
      emailId,
      status: 'cancelled' as const,
      occurredAt: at,
      detail: { cancelledAt: where },
      createdAt: at,
    });
  }
}
