import { Column, Entity, Index } from 'typeorm';
import { DurableRecord } from '../../../core/durable/durable-record.entity';
import type { StoredEmailStatus } from '../email-status';
import type { JsonObject } from '../json';

/**
 * One accepted message: a row of the email outbox. The durable columns
 * (status, attempts, next_attempt_at, ...) belong to the outbox processor;
 * `emailStatus` is what the API reports.
 */
@Entity({ name: 'emails' })
@Index('ix_emails_owner', ['ownerId', 'id'])
export class EmailMessage extends DurableRecord {
  @Column({ name: 'owner_id', type: 'varchar', length: 80 })
  ownerId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: 'plain' | 'template';

  @Column({ name: 'email_status', type: 'varchar', length: 16, default: 'queued' })
  emailStatus!: StoredEmailStatus;

  @Column({ name: 'from_email', type: 'varchar', length: 320 })
  fromEmail!: string;

  @Column({ name: 'from_name', type: 'varchar', length: 100, nullable: true })
  fromName!: string | null;

  @Column({ name: 'reply_to', type: 'varchar', length: 320, nullable: true })
  replyTo!: string | null;

  /** Where the message goes (EMAIL_REDIRECT_ALL_TO already applied). */
  @Column({ name: 'to_addresses', type: 'simple-json' })
  to!: string[];

  @Column({ name: 'cc_addresses', type: 'simple-json', nullable: true })
  cc!: string[] | null;

  @Column({ name: 'bcc_addresses', type: 'simple-json', nullable: true })
  bcc!: string[] | null;

  /** The recipients asked for, when EMAIL_REDIRECT_ALL_TO sent the message elsewhere. */
  @Column({ name: 'original_recipients', type: 'simple-json', nullable: true })
  originalRecipients!: { to: string[]; cc: string[]; bcc: string[] } | null;

  /** `,a@x.org,b@y.org,` (lower case) so `GET /emails?to=` is one LIKE on both engines. */
  @Column({ name: 'recipients_index', type: 'text' })
  recipientsIndex!: string;

  @Column({ type: 'varchar', length: 998, nullable: true })
  subject!: string | null;

  @Column({ name: 'text_body', type: 'text', nullable: true })
  text!: string | null;

  @Column({ name: 'html_body', type: 'text', nullable: true })
  html!: string | null;

  @Column({ name: 'template_id', type: 'varchar', length: 40, nullable: true })
  templateId!: string | null;

  @Column({ name: 'template_data', type: 'simple-json', nullable: true })
  templateData!: JsonObject | null;

  @Column({ type: 'simple-json', nullable: true })
  categories!: string[] | null;

  @Column({ name: 'send_at', type: Date, nullable: true })
  sendAt!: Date | null;

  /** Messages with the same key may share one SendGrid request (EMAIL_BATCH=true). */
  @Column({ name: 'batch_key', type: 'varchar', length: 64 })
  batchKey!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  /** SendGrid's `X-Message-Id` (shared by the messages of one batch); `log:<id>` for the log transport. */
  @Column({ name: 'provider_message_id', type: 'varchar', length: 128, nullable: true })
  providerMessageId!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  transport!: string | null;

  @Column({ name: 'sent_at', type: Date, nullable: true })
  sentAt!: Date | null;

  /** SendGrid unsubscribe group (`asm.group_id`): its unsubscribes block this message. */
  @Column({ name: 'asm_group_id', type: 'integer', nullable: true })
  asmGroupId!: number | null;

  @Column({ name: 'asm_groups_to_display', type: 'simple-json', nullable: true })
  asmGroupsToDisplay!: number[] | null;

  /** Transactional mail that ignores group unsubscribes (never bounces, spam reports or global unsubscribes). */
  @Column({ name: 'bypass_group_unsubscribes', type: 'boolean', default: false })
  bypassGroupUnsubscribes!: boolean;

  /** SendGrid `batch_id` of a scheduled send, created before the hand-over so it can be cancelled there. */
  @Column({ name: 'sendgrid_batch_id', type: 'varchar', length: 128, nullable: true })
  sendgridBatchId!: string | null;

  /** Stored files to attach at send time (never their bytes). */
  @Column({ type: 'simple-json', nullable: true })
  attachments!: EmailAttachmentRef[] | null;
}

/** A stored file attached to a message: read from the storage driver when the message is sent. */
export interface EmailAttachmentRef {
  readonly fileId: string;
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  readonly disposition: 'attachment' | 'inline';
  readonly contentId?: string;
}
