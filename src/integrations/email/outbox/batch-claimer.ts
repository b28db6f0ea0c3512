import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, Not, type Repository } from 'typeorm';
import { emailConfig } from '../../../config/email.config';
import { uuidv7 } from '../../../core/database/ids';
import { retryAfterOf, describeError } from '../../../core/durable/durable-policy';
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
 * SendGrid request carries them all, one personalization each. Siblings are
 * claimed with the processor's own columns and a lease under a token of
 * their own, so a crash mid-batch leaves them to the processor, which claims
 * expired leases again: nothing is lost.
 */
@Injectable()
export class BatchClaimer {
  constructor(
    @InjectRepository(EmailMessage) private readonly messages: Repository<EmailMessage>,
    @Inject(emailConfig.KEY) private readonly config: ConfigType<typeof emailConfig>,
  ) {}

  async claimSiblings(leader: EmailMessage): Promise<EmailMessage[]> {
    const room = MAX_RECIPIENTS - recipientsOf(leader);
    if (room <= 0) return [];
    const now = new Date();
    const candidates = await this.messages.find({
      select: { id: true },
      where: { batchKey: leader.batchKey, status: 'pending', nextAttemptAt: LessThanOrEqual(now), id: Not(leader.id) },
      order: { id: 'ASC' },
      take: Math.min(MAX_PERSONALIZATIONS - 1, room),
    });
    if (candidates.length === 0) return [];
    const token = `batch:${uuidv7()}`;
    await this.messages
      .createQueryBuilder()
      .update(EmailMessage)
      .set({
        status: 'processing',
        attempts: () => 'attempts + 1',
        lockedBy: token,
        lockedUntil: new Date(now.getTime() + this.config.leaseMs),
      })
      // Only rows still pending: another worker may have claimed some meanwhile.
      .where({ id: In(candidates.map((c) => c.id)), status: 'pending' })
      .execute();
    const claimed = await this.messages.find({
      where: { lockedBy: token, status: 'processing' },
      order: { id: 'ASC' },
    });
    const kept: EmailMessage[] = [];
    let recipients = 0;
    for (const row of claimed) {
      if (recipients + recipientsOf(row) > room) break;
      recipients += recipientsOf(row);
      kept.push(row);
    }
    const excess = claimed.slice(kept.length);
    if (excess.length > 0) {
      await this.messages.update(
        { id: In(excess.map((r) => r.id)), lockedBy: token },
        { status: 'pending', attempts: () => 'attempts - 1', lockedBy: null, lockedUntil: null },
      );
    }
    return kept;
  }

  /** Siblings of a batch SendGrid accepted. */
  async complete(siblings: readonly EmailMessage[], now: Date): Promise<void> {
    await this.messages.update(
      {
        id: In(siblings.map((r) => r.id)),
        lockedBy: In([...new Set(siblings.map((r) => r.lockedBy ?? ''))]),
        status: 'processing',
      },
      { status: 'done', processedAt: now, lockedBy: null, lockedUntil: null },
    );
  }

  /**
   * Siblings of a failed batch go back to the queue: due again after the
   * wait SendGrid asked for (or a short backoff), each alone after a refusal
   * (one bad message must not sink the others), dead after their last attempt.
   */
  async release(siblings: readonly EmailMessage[], error: unknown): Promise<void> {
    const refused = isIntegrationError(error) && !error.retryable;
    const delay = retryAfterOf(error) ?? Math.floor(Math.random() * this.config.retryBaseMs);
    const lastError = describeError(error);
    const now = Date.now();
    for (const row of siblings) {
      const dead = !refused && row.attempts >= this.config.maxAttempts;
      await this.messages.update(
        { id: row.id, lockedBy: row.lockedBy ?? '', status: 'processing' },
        {
          status: dead ? 'dead' : 'pending',
          nextAttemptAt: new Date(now + (refused ? 0 : delay)),
          lastError,
          lockedBy: null,
          lockedUntil: null,
          ...(refused ? { batchKey: row.id } : {}),
        },
      );
    }
  }
}
