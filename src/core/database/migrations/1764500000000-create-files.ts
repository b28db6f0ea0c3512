import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { bigintColumn, idColumn, timestampColumn, timestampColumns } from '../migration-columns';

export class CreateFiles1764500000000 implements MigrationInterface {
  name = 'CreateFiles1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'files',
        columns: [
          idColumn(),
          { name: 'owner_id', type: 'varchar', length: '80' },
          { name: 'key', type: 'varchar', length: '255' },
          // 255 UTF-8 bytes are at most 255 characters; 1020 leaves room on engines that count bytes.
          { name: 'original_name', type: 'varchar', length: '1020' },
          { name: 'content_type', type: 'varchar', length: '127' },
          bigintColumn('size'),
          { name: 'sha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          timestampColumn(queryRunner, 'upload_expires_at', true),
          ...timestampColumns(queryRunner),
        ],
      }),
    );
    await queryRunner.createIndex(
      'files',
      new TableIndex({ name: 'uq_files_key', columnNames: ['key'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'files',
      new TableIndex({ name: 'ix_files_owner_id', columnNames: ['owner_id', 'id'] }),
    );
    await queryRunner.createIndex(
      'files',
      new TableIndex({ name: 'ix_files_status_expires', columnNames: ['status', 'upload_expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('files');
  }
}
