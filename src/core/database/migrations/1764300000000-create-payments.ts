import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { durableColumns, durableIndexes } from '../../durable/durable-columns';
import {
  bigintColumn,
  idColumn,
  jsonColumn,
  timestampColumn,
  timestampColumns,
  uuidColumn,
} from '../migration-columns';

/** Payments, their status history and refunds, and the Stripe webhook inbox. */
export class CreatePayments1764300000000 implements MigrationInterface {
  name = 'CreatePayments1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'payments',
        columns: [
          idColumn(),
          { name: 'owner_id', type: 'varchar', length: '80', isNullable: true },
          { name: 'stripe_id', type: 'varchar', length: '255', isNullable: true },
          bigintColumn('amount'),
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'status', type: 'varchar', length: '32' },
          { name: 'status_rank', type: 'integer' },
          // Bumped by every applied status change; orders the history by when changes were applied.
          { name: 'status_version', type: 'integer', default: 0 },
          bigintColumn('amount_received', false, 0),
          bigintColumn('amount_refunded', false, 0),
          { name: 'description', type: 'varchar', length: '1000', isNullable: true },
          { name: 'customer_email', type: 'varchar', length: '320', isNullable: true },
          { name: 'capture_method', type: 'varchar', length: '16', isNullable: true },
          jsonColumn('metadata'),
          { name: 'client_secret', type: 'varchar', length: '255', isNullable: true },
          { name: 'idempotency_key', type: 'varchar', length: '255', isNullable: true },
          { name: 'request_hash', type: 'varchar', length: '64', isNullable: true },
          bigintColumn('last_event_created', true),
          ...timestampColumns(queryRunner),
        ],
        indices: [
          new TableIndex({ name: 'uq_payments_stripe_id', columnNames: ['stripe_id'], isUnique: true }),
          new TableIndex({
            name: 'uq_payments_owner_idempotency_key',
            columnNames: ['owner_id', 'idempotency_key'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_payments_owner_status', columnNames: ['owner_id', 'status'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'payment_status_changes',
        columns: [
          idColumn(),
          uuidColumn('payment_id'),
          { name: 'version', type: 'integer' },
          { name: 'status', type: 'varchar', length: '32' },
          { name: 'source', type: 'varchar', length: '16' },
          { name: 'event_id', type: 'varchar', length: '255', isNullable: true },
          timestampColumn(queryRunner, 'occurred_at'),
          timestampColumn(queryRunner, 'created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_payment_status_changes_version',
            columnNames: ['payment_id', 'version'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'refunds',
        columns: [
          idColumn(),
          uuidColumn('payment_id'),
          { name: 'stripe_id', type: 'varchar', length: '255', isNullable: true },
          bigintColumn('amount'),
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'status', type: 'varchar', length: '32' },
          { name: 'reason', type: 'varchar', length: '32', isNullable: true },
          ...timestampColumns(queryRunner),
        ],
        indices: [
          new TableIndex({ name: 'uq_refunds_stripe_id', columnNames: ['stripe_id'], isUnique: true }),
          new TableIndex({ name: 'ix_refunds_payment', columnNames: ['payment_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'stripe_events',
        columns: [
          ...durableColumns(queryRunner),
          { name: 'event_id', type: 'varchar', length: '255' },
          { name: 'type', type: 'varchar', length: '255' },
          { name: 'livemode', type: 'boolean' },
          bigintColumn('event_created'),
          { name: 'payload', type: 'text' },
          { name: 'source', type: 'varchar', length: '16' },
        ],
        indices: [
          new TableIndex({ name: 'uq_stripe_events_event_id', columnNames: ['event_id'], isUnique: true }),
          ...durableIndexes('stripe_events'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['stripe_events', 'refunds', 'payment_status_changes', 'payments'])
      await queryRunner.dropTable(table);
  }
}
