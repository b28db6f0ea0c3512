import { Inject } from '@nestjs/common';
import type { SuppressionReason } from '../entities/email-suppression.entity';

/** SendGrid's account-wide suppression lists that the sync pulls into the ledger (plus `group:<id>` per group). */
export const GLOBAL_SYNC_LISTS = ['bounces', 'spam_reports', 'unsubscribes'] as const;
/** `bounces`, `spam_reports`, `unsubscribes`, or `group:<id>` (one unsubscribe group's suppressions). */
export type SyncList = (typeof GLOBAL_SYNC_LISTS)[number] | `group:${number}`;

/** One entry of a vendor suppression list. */
export interface ListedSuppression {
  readonly address: string;
  readonly reason: SuppressionReason;
  readonly groupId: number | null;
  readonly createdAt?: Date;
}

/** An entry to lift at the vendor. */
export interface SuppressionToLift {
  readonly address: string;
  readonly reason: SuppressionReason;
  readonly groupId: number | null;
}

/**
 * Port: the mail account's state beside sending — its suppression lists and
 * scheduled-send batches. Implementations throw `IntegrationError`s.
 */
export interface EmailAccount {
  /** True when there is a vendor account behind it (false for the log transport). */
  readonly remote: boolean;
  /** One page of a list (`offset`-based, as SendGrid pages them); fewer than `limit` entries ends the list. */
  listSuppressions(list: SyncList, offset: number, limit: number): Promise<ListedSuppression[]>;
  /** The unsubscribe groups whose suppressions the sync reads. */
  listGroups(): Promise<number[]>;
  /** Lifts one entry at the vendor (already absent there counts as done). */
  liftSuppression(entry: SuppressionToLift): Promise<void>;
  /** A new scheduled-send batch id. */
  createBatch(): Promise<string>;
  /** Cancels every message of the batch that has not been sent yet. */
  cancelBatch(batchId: string): Promise<void>;
}

export const EmailAccount = Symbol('EmailAccount');

/** `@InjectEmailAccount() account: EmailAccount` */
export const InjectEmailAccount = (): ParameterDecorator => Inject(EmailAccount);
