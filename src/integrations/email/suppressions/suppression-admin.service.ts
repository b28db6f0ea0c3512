import { Injectable, NotFoundException } from '@nestjs/common';
import type { Page } from '../../../core/http/pagination';
import type { EmailSuppression } from '../entities/email-suppression.entity';
import { type EmailAccount, InjectEmailAccount } from '../transports/email-account.port';
import { type SuppressionFilter, SuppressionLedger } from './suppression-ledger';
import { normaliseAddress } from './suppression-rules';

/** The admin side of the ledger: manual entries, and lifting an address here and at SendGrid. */
@Injectable()
export class SuppressionAdmin {
  constructor(
    private readonly ledger: SuppressionLedger,
    @InjectEmailAccount() private readonly account: EmailAccount,
  ) {}

  list(filter: SuppressionFilter): Promise<Page<EmailSuppression>> {
    return this.ledger.list(filter);
  }

  /** Records a manual entry (an existing entry in that scope stays as it was) and returns the entry. */
  async addManual(address: string, groupId: number | null, owner: string): Promise<EmailSuppression> {
    await this.ledger.record([{ address, reason: 'manual', groupId, source: `manual:${owner}` }]);
    const entries = await this.ledger.entriesFor(address);
    const entry = entries.find((e) => e.groupId === groupId);
    if (!entry) throw new Error('suppression not found right after it was recorded');
    return entry;
  }

  /**
   * Lifts each entry at SendGrid first, then removes it here: if SendGrid
   * fails, the entry stays (and the call can be repeated), so we never mail
   * an address SendGrid would still drop — or one it still lists.
   * @throws NotFoundException when the address is not suppressed.
   */
  async lift(address: string): Promise<number> {
    const entries = await this.ledger.entriesFor(address);
    if (entries.length === 0) throw new NotFoundException(`${normaliseAddress(address)} is not suppressed`);
    for (const entry of entries) {
      await this.account.liftSuppression({ address: entry.address, reason: entry.reason, groupId: entry.groupId });
      await this.ledger.removeEntries([entry.id]);
    }
    return entries.length;
  }
}
