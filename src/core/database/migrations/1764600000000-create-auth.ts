import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { idColumn, timestampColumn, timestampColumns, uuidColumn } from '../migration-columns';

/** Users signed in through OAuth providers, their provider accounts, sessions and pending login states. */
export class CreateAuth1764600000000 implements MigrationInterface {
  name = 'CreateAuth1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          idColumn(),
          { name: 'email', type: 'varchar', length: '320', isNullable: true },
          { name: 'email_verified', type: 'boolean', default: false },
          { name: 'name', type: 'varchar', length: '200', isNullable: true },
          { name: 'avatar_url', type: 'varchar', length: '2048', isNullable: true },
          ...timestampColumns(queryRunner),
        ],
      }),
    );
    // Not unique: an unverified address may be claimed by several accounts.
    await queryRunner.createIndex('users', new TableIndex({ name: 'ix_users_email', columnNames: ['email'] }));

    await queryRunner.createTable(
      new Table({
        name: 'oauth_accounts',
        columns: [
          idColumn(),
          uuidColumn('user_id'),
          { name: 'provider', type: 'varchar', length: '32' },
          { name: 'provider_user_id', type: 'varchar', length: '255' },
          { name: 'email', type: 'varchar', length: '320', isNullable: true },
          { name: 'email_verified', type: 'boolean', default: false },
          { name: 'scopes', type: 'varchar', length: '1000', default: "''" },
          // AES-256-GCM ciphertexts (see token-cipher.ts), never the tokens themselves.
          { name: 'access_token', type: 'text', isNullable: true },
          { name: 'refresh_token', type: 'text', isNullable: true },
          timestampColumn(queryRunner, 'token_expires_at', true),
          ...timestampColumns(queryRunner),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'oauth_accounts',
      new TableIndex({
        name: 'uq_oauth_accounts_provider_user',
        columnNames: ['provider', 'provider_user_id'],
        isUnique: true,
      }),
    );
    await queryRunner.createIndex(
      'oauth_accounts',
      new TableIndex({ name: 'ix_oauth_accounts_user', columnNames: ['user_id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'auth_sessions',
        columns: [
          idColumn(),
          uuidColumn('user_id'),
          { name: 'provider', type: 'varchar', length: '32', isNullable: true },
          timestampColumn(queryRunner, 'created_at'),
          timestampColumn(queryRunner, 'revoked_at', true),
          { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'auth_sessions',
      new TableIndex({ name: 'ix_auth_sessions_user', columnNames: ['user_id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'auth_refresh_tokens',
        columns: [
          idColumn(),
          uuidColumn('session_id'),
          // SHA-256 of the token, hex: the token itself is only in the client's cookie.
          { name: 'token_hash', type: 'varchar', length: '64' },
          timestampColumn(queryRunner, 'expires_at'),
          timestampColumn(queryRunner, 'used_at', true),
          timestampColumn(queryRunner, 'created_at'),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['session_id'],
            referencedTableName: 'auth_sessions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'auth_refresh_tokens',
      new TableIndex({ name: 'uq_auth_refresh_tokens_hash', columnNames: ['token_hash'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'auth_refresh_tokens',
      new TableIndex({ name: 'ix_auth_refresh_tokens_session', columnNames: ['session_id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'oauth_login_states',
        columns: [
          // SHA-256 of a `state` sent to a provider and not used yet; using it deletes the row.
          { name: 'state_hash', type: 'varchar', length: '64', isPrimary: true },
          timestampColumn(queryRunner, 'created_at'),
          timestampColumn(queryRunner, 'expires_at'),
        ],
      }),
    );
    await queryRunner.createIndex(
      'oauth_login_states',
      new TableIndex({ name: 'ix_oauth_login_states_expires', columnNames: ['expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('oauth_login_states');
    await queryRunner.dropTable('auth_refresh_tokens');
    await queryRunner.dropTable('auth_sessions');
    await queryRunner.dropTable('oauth_accounts');
    await queryRunner.dropTable('users');
  }
}
