import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const SUPPRESSION_REASONS = [
  'bounce',
  'spamreport',
  'unsubscribe',
  'group_unsubscribe',
  'invalid',
  'manual',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** `scope` of a suppression that holds for every message (not one unsubscribe group). */
export const GLOBAL_SCOPE = '*';

/**
 * One address we must not mail: globally (bounce, spam report, global
 * unsubscribe, invalid, manual) or for one unsubscribe group. One row per
 * address and scope; the first reason recorded stays (a later event for the
 * same address and scope changes nothing).
 */
@Entity({ name: 'email_suppressions' })
@Index('uq_email_suppressions_address_scope', ['address', 'scope'], { unique: true })
export class EmailSuppression {
  /** UUIDv7: the keyset of the admin list. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Lower case, trimmed. */
  @Column({ type: 'varchar', length: 320 })
  address!: string;

  @Column({ type: 'varchar', length: 24 })
  reason!: SuppressionReason;

  /** The unsubscribe group, for `group_unsubscribe` (and manual group entries); null = every message. */
  @Column({ name: 'group_id', type: 'integer', nullable: true })
  groupId!: number | null;

  /** `*` or the group id as text: a unique key both engines treat alike (NULLs are never equal in a unique index). */
  @Column({ type: 'varchar', length: 16 })
  scope!: string;

  /** Where it came from: `webhook:<sg_event_id>`, `sync:<list>`, `manual:<owner>`. */
  @Column({ type: 'varchar', length: 300 })
  source!: string;

  /** When the vendor says it happened (event or list timestamp), else when we recorded it. */
  @Column({ name: 'occurred_at', type: Date })
  occurredAt!: Date;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
