import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { uuidv7 } from '../../../core/database/ids';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { EmailEvent } from '../entities/email-event.entity';
import { EmailMessage } from '../entities/email-message.entity';
import { SuppressionLedger } from './suppression-ledger';
import { type RemovedRecipient, withoutSuppressed } from './suppression-rules';

/** What screening did to one message. */
export interface Screened {
  readonly row: EmailMessage;
  readonly removed: RemovedRecipient[];
  /** Every recipient was suppressed: the message ends `suppressed`, nothing is sent. */
  readonly allSuppressed: boolean;
}

/**
 * Applies the suppression ledger to messages: when one is accepted and again
 * just before it is sent (an address may have bounced meanwhile). Suppressed
 * recipients leave the message and its history records each as `suppressed`.
 */
@Injectable()
export class SuppressionGate {
  constructor(
    private readonly ledger: SuppressionLedger,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Takes suppressed recipients off `rows` (in memory); one ledger query for all of them. */
  async screen(rows: readonly EmailMessage[]): Promise<Screened[]> {
    const results: Screened[] = [];
    // Rows differ in group and bypass only rarely; one lookup per distinct context.
    const contexts = new Map<string, EmailMessage[]>();
    for (const row of rows) {
      const key = `${row.asmGroupId ?? ''}|${row.bypassGroupUnsubscribes}`;
      contexts.set(key, [...(contexts.get(key) ?? []), row]);
    }
    for (const group of contexts.values()) {
      const [first] = group;
      const blocked = await this.ledger.blocking(
        group.flatMap((row) => [...row.to, ...(row.cc ?? []), ...(row.bcc ?? [])]),
        { groupId: first.asmGroupId, bypassGroupUnsubscribes: first.bypassGroupUnsubscribes },
      );
      for (const row of group) {
        const { kept, removed } = withoutSuppressed(
          { to: row.to, cc: row.cc ?? [], bcc: row.bcc ?? [] },
          blocked,
          row.fromEmail,
        );
        if (kept) {
          row.to = kept.to;
          row.cc = kept.cc.length > 0 ? kept.cc : null;
          row.bcc = kept.bcc.length > 0 ? kept.bcc : null;
        }
        results.push({ row, removed, allSuppressed: kept === null });
      }
    }
    return results;
  }

  /** History entries for the removed recipients (one per address; `stage` says when it was decided). */
  historyOf(screened: Screened, stage: 'accept' | 'send', at: Date): EmailEvent[] {
    return screened.removed.map((entry) =>
      Object.assign(new EmailEvent(), {
        id: uuidv7(at.getTime()),
        emailId: screened.row.id,
        status: 'suppressed' as const,
        occurredAt: at,
        detail: { email: entry.email, reason: entry.reason, groupId: entry.groupId, stage },
        createdAt: at,
      }),
    );
  }

  /**
   * Send time: stores what screening changed on claimed rows — their
   * recipients, `suppressed` for the ones with nobody left — with their
   * history, in one transaction. Only rows still unsent change.
   */
  async recordAtSend(screened: readonly Screened[]): Promise<void> {
    const changed = screened.filter((s) => s.removed.length > 0);
    if (changed.length === 0) return;
    const now = new Date();
    await this.transactions.run(async (manager) => {
      for (const s of changed) {
        await manager.update(
          EmailMessage,
          { id: s.row.id, emailStatus: In(['queued', 'failed']) },
          s.allSuppressed ? { emailStatus: 'suppressed' } : { to: s.row.to, cc: s.row.cc, bcc: s.row.bcc },
        );
        await manager.insert(EmailEvent, this.historyOf(s, 'send', now));
      }
    });
  }
}
