import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { timestampColumn } from '../migration-columns';

/**
 * Provider-token lifecycle (issue 15): an identity whose refresh token died is
 * `reconnect_required`; a refresh holds a short lease on the row so that one
 * instance refreshes at a time.
 */
export class AddIdentityLifecycle1766200000000 implements MigrationInterface {
  name = 'AddIdentityLifecycle1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('oauth_accounts', [
      new TableColumn({ name: 'status', type: 'varchar', length: '32', isNullable: false, default: "'active'" }),
      new TableColumn(timestampColumn(queryRunner, 'refresh_lease_until', true)),
      new TableColumn({ name: 'refresh_lease_owner', type: 'varchar', length: '64', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('oauth_accounts', ['refresh_lease_owner', 'refresh_lease_until', 'status']);
  }
}
