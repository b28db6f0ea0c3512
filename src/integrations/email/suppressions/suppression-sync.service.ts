import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { SuppressionSyncProgress } from '../entities/suppression-sync-progress.entity';
import {
  type EmailAccount,
  GLOBAL_SYNC_LISTS,
  InjectEmailAccount,
  type SyncList,
} from '../transports/email-account.port';
import { SuppressionLedger } from './suppression-ledger';

export interface SyncResult {
  /** Entries SendGrid listed in this run, per list. */
  readonly listed: Readonly<Record<string, number>>;
  /** True when this run continued an interrupted one. */
  readonly resumed: boolean;
}

/**
 * `npm run email:suppressions:sync`: pulls SendGrid's bounce, spam-report,
 * global-unsubscribe and group-unsubscribe lists into the ledger, page by
 * page. Safe to repeat (recording is idempotent) and resumable: each page's
 * entries are recorded before its offset is saved, so a killed run goes on
 * from its last saved page (re-reading at most one page) instead of from the
 * start. A finished run clears its progress, so the next run reads everything.
 */
@Injectable()
export class SuppressionSync {
  constructor(
    @InjectRepository(SuppressionSyncProgress) private readonly progress: Repository<SuppressionSyncProgress>,
    private readonly ledger: SuppressionLedger,
    private readonly transactions: TransactionRunner,
    @InjectEmailAccount() private readonly account: EmailAccount,
  ) {}

  /** False with the log transport: there is no SendGrid account to read. */
  get configured(): boolean {
    return this.account.remote;
  }

  async run(pageSize = 500): Promise<SyncResult> {
    const saved = new Map((await this.progress.find()).map((row) => [row.list, row]));
    const groups = await this.account.listGroups();
    const lists: SyncList[] = [...GLOBAL_SYNC_LISTS, ...groups.map((id): SyncList => `group:${id}`)];
    const listed: Record<string, number> = {};
    for (const list of lists) {
      const state = saved.get(list);
      listed[list] = 0;
      if (state?.complete) continue;
      let offset = state?.nextOffset ?? 0;
      for (;;) {
        const page = await this.account.listSuppressions(list, offset, pageSize);
        await this.ledger.record(
          page.map((entry) => ({ ...entry, source: `sync:${list}`, occurredAt: entry.createdAt })),
        );
        offset += page.length;
        listed[list] += page.length;
        const complete = page.length < pageSize;
        await this.save(list, offset, complete);
        if (complete) break;
      }
    }
    await this.transactions.write((manager) => manager.clear(SuppressionSyncProgress));
    return { listed, resumed: saved.size > 0 };
  }

  private async save(list: string, nextOffset: number, complete: boolean): Promise<void> {
    await this.transactions.write((manager) =>
      manager.upsert(SuppressionSyncProgress, { list, nextOffset, complete, updatedAt: new Date() }, ['list']),
    );
  }
}
