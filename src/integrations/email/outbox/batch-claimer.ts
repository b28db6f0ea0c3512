import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { emailConfig } from '../../../config/email.config';
import { uuidv7 } from '../../../core/database/ids';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { describeError, failureOutcome } from '../../../core/durable/durable-policy';
import { type Claim, DurableStore } from '../../../core/durable/durable.store';
import { isIntegrationError } from '../../../core/errors/integration.error';
import { MAX_RECIPIENTS } from '../dto/email-validators';
import { EmailMessage } from '../entities/email-message.entity';
import { MESSAGE_ID_ARG } from '../transports/email-transport.port';

/**
 * Personalizations per request: SendGrid allows 1,000, but custom_args must
 * stay under 10,000 bytes, which its documentation may count per request;
 * our id costs ~61 bytes per personalization, so batches stay under 9,000
 * bytes of custom args (147 messages) and a request can never be refused
 * for that.
 */
const CUSTOM_ARGS_BUDGET = 9_000;
const MAX_PERSONALIZATIONS = Math.min(
  1000,
  Math.floor(
    CUSTOM_ARGS_BUDGET /
      Buffer.byteLength(JSON.stringify({ [MESSAGE_ID_ARG]: '00000000-0000-7000-8000-000000000000' })),
  ),
);

const recipientsOf = (row: EmailMessage): number => row.to.length + (row.cc?.length ?? 0) + (row.bcc?.length ?? 0);

/**
 * EMAIL_BATCH: when the processor hands the outbox one row, this claims the
 * due rows with the same batch key (same content/template and sendAt) so one
 * SendGrid request carries them all, one personalization each. The queue's
 * state machine is core/durable's (`DurableStore`: claim, complete,
 * reschedule, bury, one backoff rule); siblings are claimed under a lease
 * token of their own, so a crash mid-batch leaves them to the processor,
 * which claims expired leases again: nothing is lost. What is email's own:
 * which rows go together, the recipient budget, and that a refused batch is
 * retried message by message.
 */
@Injectable()
export class BatchClaimer {
  private readonly store: DurableStore<EmailMessage>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    @Inject(emailConfig.KEY) private readonly config: ConfigType<typeof emailConfig>,
  ) {
    this.store = new DurableStore(dataSource, EmailMessage, transactions);
  }

  async claimSiblings(leader: EmailMessage): Promise<EmailMessage[]> {
    const room = MAX_RECIPIENTS - recipientsOf(leader);
    if (room <= 0) return [];
    const now = new Date();
    const claimed = await this.store.claimDue(
      `batch:${uuidv7()}`,
      now,
      this.config.leaseMs,
      Math.min(MAX_PERSONALIZATIONS - 1, room),
      { equals: { batch_key: leader.batchKey }, excludeId: leader.id },
    );
    const kept: EmailMessage[] = [];
    let recipients = 0;
    for (const row of claimed) {
      if (recipients + recipientsOf(row) > room) break;
      recipients += recipientsOf(row);
      kept.push(row);
    }
    await this.store.unclaim(claimed.slice(kept.length).map(claimOf), now);
    return kept;
  }

  /** Claimed siblings given back untouched (their leader was not sent); they are due again at once. */
  async giveBack(siblings: readonly EmailMessage[]): Promise<void> {
    if (siblings.length > 0) await this.store.unclaim(siblings.map(claimOf), new Date());
  }

  /** Siblings of a batch SendGrid accepted (or that ended suppressed). */
  async complete(siblings: readonly EmailMessage[], now: Date): Promise<void> {
    await this.store.completeAll(siblings.map(claimOf), now);
  }

  /**
   * Siblings of a failed batch go back to the queue under the queue's one
   * backoff rule (at least as late as SendGrid asked, dead after their last
   * attempt); after a refusal each is due again at once, alone (one bad
   * message must not sink the others).
   */
  async release(siblings: readonly EmailMessage[], error: unknown): Promise<void> {
    const now = new Date();
    if (isIntegrationError(error) && !error.retryable) {
      await this.sendAlone(siblings.map((row) => row.id));
      await this.store.rescheduleAll(siblings.map(claimOf), now, now, describeError(error));
      return;
    }
    const policy = {
      maxAttempts: this.config.maxAttempts,
      backoff: { baseMs: this.config.retryBaseMs, capMs: this.config.retryCapMs },
    };
    for (const row of siblings) {
      const outcome = failureOutcome(error, row.attempts, policy);
      if (outcome.status === 'dead') await this.store.bury(claimOf(row), now, outcome.error);
      else await this.store.reschedule(claimOf(row), now, new Date(now.getTime() + outcome.delayMs), outcome.error);
    }
  }

  /** Gives each message a batch key of its own, so it is sent alone from now on. */
  async sendAlone(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.transactions.write((manager) =>
      manager
        .createQueryBuilder()
        .update(EmailMessage)
        .set({ batchKey: () => 'id' })
        .whereInIds([...ids])
        .execute(),
    );
  }
}

function claimOf(row: EmailMessage): Claim {
  return { id: row.id, workerId: row.lockedBy ?? '', attempts: row.attempts };
}
