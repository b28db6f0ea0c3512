import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { timestampColumn } from '../migration-columns';

/** API keys may expire (`npm run apikey:create -- --expires-in 90d`); null = never. */
export class AddApiKeyExpiry1765000000000 implements MigrationInterface {
  name = 'AddApiKeyExpiry1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('api_keys', new TableColumn(timestampColumn(queryRunner, 'expires_at', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('api_keys', 'expires_at');
  }
}
