import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { durableColumns, durableIndexes } from '../../durable/durable-columns';
import { idColumn, jsonColumn, timestampColumn, uuidColumn } from '../migration-columns';

/** Email outbox (`emails`), message history (`email_events`) and the SendGrid event inbox (`sendgrid_events`). */
export class CreateEmails1764400000000 implements MigrationInterface {
  name = 'CreateEmails1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'emails',
        columns: [
          ...durableColumns(queryRunner),
          { name: 'owner_id', type: 'varchar', length: '80' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'email_status', type: 'varchar', length: '16', default: "'queued'" },
          { name: 'from_email', type: 'varchar', length: '320' },
          { name: 'from_name', type: 'varchar', length: '100', isNullable: true },
          { name: 'reply_to', type: 'varchar', length: '320', isNullable: true },
          jsonColumn('to_addresses', false),
          jsonColumn('cc_addresses'),
          jsonColumn('bcc_addresses'),
          jsonColumn('original_recipients'),
          { name: 'recipients_index', type: 'text' },
          { name: 'subject', type: 'varchar', length: '998', isNullable: true },
          { name: 'text_body', type: 'text', isNullable: true },
          { name: 'html_body', type: 'text', isNullable: true },
          { name: 'template_id', type: 'varchar', length: '40', isNullable: true },
          jsonColumn('template_data'),
          jsonColumn('categories'),
          timestampColumn(queryRunner, 'send_at', true),
          { name: 'batch_key', type: 'varchar', length: '64' },
          { name: 'idempotency_key', type: 'varchar', length: '255', isNullable: true },
          { name: 'provider_message_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'transport', type: 'varchar', length: '16', isNullable: true },
          timestampColumn(queryRunner, 'sent_at', true),
        ],
        indices: [
          ...durableIndexes('emails'),
          new TableIndex({ name: 'ix_emails_owner', columnNames: ['owner_id', 'id'] }),
          new TableIndex({ name: 'ix_emails_email_status', columnNames: ['email_status', 'id'] }),
          new TableIndex({ name: 'ix_emails_provider_message_id', columnNames: ['provider_message_id'] }),
          new TableIndex({ name: 'ix_emails_batch', columnNames: ['batch_key', 'status'] }),
          new TableIndex({
            name: 'uq_emails_idempotency',
            columnNames: ['owner_id', 'idempotency_key'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'email_events',
        columns: [
          idColumn(),
          uuidColumn('email_id'),
          { name: 'status', type: 'varchar', length: '16' },
          timestampColumn(queryRunner, 'occurred_at'),
          jsonColumn('detail'),
          timestampColumn(queryRunner, 'created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_email_events_email', columnNames: ['email_id', 'id'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sendgrid_events',
        columns: [
          ...durableColumns(queryRunner),
          { name: 'sg_event_id', type: 'varchar', length: '255' },
          { name: 'event', type: 'varchar', length: '32' },
          jsonColumn('payload', false),
        ],
        indices: [
          ...durableIndexes('sendgrid_events'),
          new TableIndex({ name: 'uq_sendgrid_events_sg_event_id', columnNames: ['sg_event_id'], isUnique: true }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sendgrid_events');
    await queryRunner.dropTable('email_events');
    await queryRunner.dropTable('emails');
  }
}
