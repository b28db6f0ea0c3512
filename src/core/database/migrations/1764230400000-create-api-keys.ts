import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from '../migration-columns';

export class CreateApiKeys1764230400000 implements MigrationInterface {
  name = 'CreateApiKeys1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          idColumn(),
          { name: 'name', type: 'varchar', length: '64' },
          // SHA-256 of the key, hex: the key itself is never stored.
          { name: 'key_hash', type: 'varchar', length: '64' },
          { name: 'scopes', type: 'varchar', length: '255', default: "''" },
          { name: 'source', type: 'varchar', length: '16' },
          timestampColumn(queryRunner, 'created_at'),
          timestampColumn(queryRunner, 'last_used_at', true),
          timestampColumn(queryRunner, 'revoked_at', true),
        ],
      }),
    );
    await queryRunner.createIndex(
      'api_keys',
      new TableIndex({ name: 'uq_api_keys_key_hash', columnNames: ['key_hash'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'api_keys',
      new TableIndex({ name: 'uq_api_keys_name', columnNames: ['name'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_keys');
  }
}
