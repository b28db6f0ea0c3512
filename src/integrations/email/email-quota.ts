import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { limitsConfig } from '../../config/limits.config';
import { uuidv7Floor } from '../../core/database/ids';
import { quotaExceeded } from '../../core/errors/quota-exceeded';
import { type Principal, ownerIdOf } from '../../core/security/principal';
import { EmailMessage } from './entities/email-message.entity';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * EMAIL_DAILY_LIMIT_PER_CALLER: recipients (to + cc + bcc, each address
 * once) a caller may address in any rolling 24 hours. Recipients, not
 * messages, because one message may carry a thousand of them. Users get
 * 1,000 by default; API keys are unlimited unless the variable is set.
 * Counted from the outbox itself (the `recipients_index` of the caller's
 * rows of the last 24 h), so restarts and several instances agree.
 * Concurrent sends may each see the same total and overshoot by at most one
 * message each.
 */
@Injectable()
export class EmailQuota {
  constructor(
    @InjectRepository(EmailMessage) private readonly messages: Repository<EmailMessage>,
    @Inject(limitsConfig.KEY) private readonly limits: ConfigType<typeof limitsConfig>,
  ) {}

  /** @throws ProblemException 403 `quota-exceeded` when `recipients` more would pass the caller's daily limit. */
  async assertRoomFor(principal: Principal, recipients: number, now = Date.now()): Promise<void> {
    const limit =
      principal.kind === 'user' ? this.limits.emailRecipientsPerDay.user : this.limits.emailRecipientsPerDay.apiKey;
    if (limit === undefined) return;
    const used = await this.recipientsSince(ownerIdOf(principal), now - DAY_MS);
    if (used + recipients > limit) {
      throw quotaExceeded(
        `This message has ${recipients} recipient(s); ${used} of your ${limit} recipients per 24 hours are used`,
        { quota: 'email-recipients-per-day', limit, used },
      );
    }
  }

  private async recipientsSince(ownerId: string, since: number): Promise<number> {
    // recipients_index is ",a,b,c,": its commas minus one are its addresses (same SQL on both engines).
    const row = await this.messages
      .createQueryBuilder('e')
      .select("COALESCE(SUM(LENGTH(e.recipients_index) - LENGTH(REPLACE(e.recipients_index, ',', '')) - 1), 0)", 'n')
      .where('e.owner_id = :ownerId', { ownerId })
      .andWhere('e.id >= :since', { since: uuidv7Floor(since) })
      .getRawOne<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }
}
