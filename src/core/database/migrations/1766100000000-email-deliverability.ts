import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { idColumn, jsonColumn, timestampColumn } from '../migration-columns';

/**
 * Email deliverability: the suppression ledger (`email_suppressions`), the
 * progress of `npm run email:suppressions:sync` (`email_suppression_sync`),
 * and the message columns for unsubscribe groups, the group-unsubscribe
 * bypass, scheduled-send batches and attachments.
 */
export class EmailDeliverability1766100000000 implements MigrationInterface {
  name = 'EmailDeliverability1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'email_suppressions',
        columns: [
          idColumn(),
          { name: 'address', type: 'varchar', length: '320' },
          { name: 'reason', type: 'varchar', length: '24' },
          { name: 'group_id', type: 'integer', isNullable: true },
          { name: 'scope', type: 'varchar', length: '16' },
          { name: 'source', type: 'varchar', length: '300' },
          timestampColumn(queryRunner, 'occurred_at'),
          timestampColumn(queryRunner, 'created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_email_suppressions_address_scope',
            columnNames: ['address', 'scope'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'email_suppression_sync',
        columns: [
          { name: 'list', type: 'varchar', length: '64', isPrimary: true },
          { name: 'next_offset', type: 'integer', default: 0 },
          { name: 'complete', type: 'boolean', default: false },
          timestampColumn(queryRunner, 'updated_at'),
        ],
      }),
    );
    await queryRunner.addColumns('emails', [
      new TableColumn({ name: 'asm_group_id', type: 'integer', isNullable: true }),
      new TableColumn(jsonColumn('asm_groups_to_display')),
      new TableColumn({ name: 'bypass_group_unsubscribes', type: 'boolean', default: false }),
      new TableColumn({ name: 'sendgrid_batch_id', type: 'varchar', length: '128', isNullable: true }),
      new TableColumn(jsonColumn('attachments')),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of [
      'attachments',
      'sendgrid_batch_id',
      'bypass_group_unsubscribes',
      'asm_groups_to_display',
      'asm_group_id',
    ])
      await queryRunner.dropColumn('emails', column);
    await queryRunner.dropTable('email_suppression_sync');
    await queryRunner.dropTable('email_suppressions');
  }
}
