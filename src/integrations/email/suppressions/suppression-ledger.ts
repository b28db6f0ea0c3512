import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { SqlDialect } from '../../../core/database/sql-dialect';
import { uuidv7 } from '../../../core/database/ids';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { type Page, type PageRequest, keysetPage } from '../../../core/http/pagination';
import { EmailSuppression, GLOBAL_SCOPE, type SuppressionReason } from '../entities/email-suppression.entity';
import type { JsonObject } from '../json';
import { ledgerChangeOf, normaliseAddress } from './suppression-rules';

/** One entry to record. */
export interface NewSuppression {
  readonly address: string;
  readonly reason: SuppressionReason;
  readonly groupId?: number | null;
  readonly source: string;
  readonly occurredAt?: Date;
}

/** Which suppressions apply to a message. */
export interface SuppressionContext {
  /** The message's unsubscribe group: that group's unsubscribes block it. */
  readonly groupId?: number | null;
  /** Transactional mail: group unsubscribes do not block it (bounces, spam reports, global unsubscribes do). */
  readonly bypassGroupUnsubscribes?: boolean;
}

export interface SuppressionFilter extends PageRequest {
  readonly reason?: SuppressionReason;
  readonly address?: string;
}

/** SQLite binds at most 32,766 values; one query per this many addresses keeps far below. */
const LOOKUP_CHUNK = 500;

/**
 * The suppression ledger: addresses we must not mail, globally or for one
 * unsubscribe group. Fed by the verified SendGrid event webhook, the sync
 * command and admins; read when a message is accepted and again just before
 * it is sent. Recording is idempotent (one row per address and scope).
 */
@Injectable()
export class SuppressionLedger {
  private readonly logger = new Logger('SuppressionLedger');

  private readonly dialect: SqlDialect;

  constructor(
    @InjectRepository(EmailSuppression) private readonly rows: Repository<EmailSuppression>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {
    this.dialect = new SqlDialect(dataSource);
  }

  /** Records entries; an address already suppressed in that scope keeps its first entry. */
  async record(entries: readonly NewSuppression[]): Promise<void> {
    if (entries.length === 0) return;
    const now = new Date();
    const values = entries.map((entry) => ({
      id: uuidv7(now.getTime()),
      address: normaliseAddress(entry.address),
      reason: entry.reason,
      groupId: entry.groupId ?? null,
      scope: entry.groupId ? String(entry.groupId) : GLOBAL_SCOPE,
      source: entry.source.slice(0, 300),
      occurredAt: entry.occurredAt ?? now,
      createdAt: now,
    }));
    for (let i = 0; i < values.length; i += 200) {
      await this.transactions.write((manager) =>
        manager
          .createQueryBuilder()
          .insert()
          .into(EmailSuppression)
          .values(values.slice(i, i + 200))
          .orIgnore()
          .updateEntity(false)
          .execute(),
      );
    }
  }

  /** Applies one verified webhook event (idempotent: a repeated event changes nothing). */
  async applyEvent(sgEventId: string, event: string, payload: JsonObject, occurredAt: Date): Promise<void> {
    const change = ledgerChangeOf(event, payload);
    if (change.kind === 'suppress') {
      await this.record([{ ...change, source: `webhook:${sgEventId}`, occurredAt }]);
    } else if (change.kind === 'resubscribe') {
      // Only entries older than the resubscribe: SendGrid does not promise order, and a later unsubscribe wins.
      await this.transactions.write((manager) =>
        manager
          .createQueryBuilder()
          .delete()
          .from(EmailSuppression)
          .where({ address: change.address, scope: String(change.groupId) })
          .andWhere('occurred_at <= :at', { at: occurredAt })
          .execute(),
      );
    } else if (change.note) {
      this.logger.log({ sgEventId, event }, change.note);
    }
  }

  /** The entries among `addresses` that block a message in `context`, by normalised address. */
  async blocking(
    addresses: readonly string[],
    context: SuppressionContext,
  ): Promise<Map<string, { reason: SuppressionReason; groupId: number | null }>> {
    const unique = [...new Set(addresses.map(normaliseAddress))];
    const scopes = [GLOBAL_SCOPE];
    if (context.groupId && !context.bypassGroupUnsubscribes) scopes.push(String(context.groupId));
    const blocked = new Map<string, { reason: SuppressionReason; groupId: number | null }>();
    for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
      const chunk = unique.slice(i, i + LOOKUP_CHUNK);
      // Plain SQL: this runs for every accepted and every sent message (the unique (address, scope) index serves it).
      const found = await this.dataSource.query<
        Array<{ address: string; reason: SuppressionReason; group_id: number | null }>
      >(
        this.dialect.positional(
          `SELECT address, reason, group_id FROM email_suppressions WHERE address IN (${chunk.map(() => '?').join(', ')}) ` +
            `AND scope IN (${scopes.map(() => '?').join(', ')}) ORDER BY id`,
        ),
        [...chunk, ...scopes],
      );
      for (const row of found)
        if (!blocked.has(row.address))
          blocked.set(row.address, {
            reason: row.reason,
            groupId: row.group_id === null ? null : Number(row.group_id),
          });
    }
    return blocked;
  }

  async list(filter: SuppressionFilter): Promise<Page<EmailSuppression>> {
    const qb = this.rows.createQueryBuilder('s');
    if (filter.reason !== undefined) qb.andWhere('s.reason = :reason', { reason: filter.reason });
    if (filter.address !== undefined)
      qb.andWhere('s.address = :address', { address: normaliseAddress(filter.address) });
    return keysetPage(qb, filter, { list: 'email-suppressions' });
  }

  async entriesFor(address: string): Promise<EmailSuppression[]> {
    return this.rows.find({ where: { address: normaliseAddress(address) }, order: { id: 'ASC' } });
  }

  /** Removes the given entries (after they were lifted at SendGrid). */
  async removeEntries(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.transactions.write((manager) =>
      manager
        .createQueryBuilder()
        .delete()
        .from(EmailSuppression)
        .whereInIds([...ids])
        .execute(),
    );
  }
}
