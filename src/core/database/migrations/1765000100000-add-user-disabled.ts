import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { timestampColumn } from '../migration-columns';

/** An admin may disable a user (`POST /admin/users/:id/disable`): sessions end and sign-in is refused. */
export class AddUserDisabled1765000100000 implements MigrationInterface {
  name = 'AddUserDisabled1765000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('users', new TableColumn(timestampColumn(queryRunner, 'disabled_at', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'disabled_at');
  }
}
