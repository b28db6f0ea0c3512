import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { bigintColumn, idColumn, jsonColumn, timestampColumns } from '../migration-columns';

/**
 * Billing: one Stripe customer per owner, mirrors of subscriptions and
 * invoices (kept current from webhooks, newest `event.created` wins), our
 * Checkout Sessions, and a payment's dispute state.
 */
export class CreateBilling1766000000000 implements MigrationInterface {
  name = 'CreateBilling1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'billing_customers',
        columns: [
          idColumn(),
          { name: 'owner_id', type: 'varchar', length: '80' },
          { name: 'stripe_id', type: 'varchar', length: '255', isNullable: true },
          ...timestampColumns(queryRunner),
        ],
        indices: [
          new TableIndex({ name: 'uq_billing_customers_owner', columnNames: ['owner_id'], isUnique: true }),
          new TableIndex({ name: 'uq_billing_customers_stripe_id', columnNames: ['stripe_id'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'subscriptions',
        columns: [
          idColumn(),
          { name: 'stripe_id', type: 'varchar', length: '255' },
          { name: 'owner_id', type: 'varchar', length: '80', isNullable: true },
          { name: 'customer_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'status', type: 'varchar', length: '32' },
          // event.created of the change that set `status` (grace periods count from it).
          bigintColumn('status_since'),
          jsonColumn('items', false),
          bigintColumn('current_period_end', true),
          { name: 'cancel_at_period_end', type: 'boolean', default: false },
          bigintColumn('trial_end', true),
          { name: 'latest_invoice', type: 'varchar', length: '255', isNullable: true },
          bigintColumn('last_event_created'),
          ...timestampColumns(queryRunner),
        ],
        indices: [
          new TableIndex({ name: 'uq_subscriptions_stripe_id', columnNames: ['stripe_id'], isUnique: true }),
          new TableIndex({ name: 'ix_subscriptions_owner', columnNames: ['owner_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'invoices',
        columns: [
          idColumn(),
          { name: 'stripe_id', type: 'varchar', length: '255' },
          { name: 'owner_id', type: 'varchar', length: '80', isNullable: true },
          { name: 'customer_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'subscription_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'status', type: 'varchar', length: '32' },
          bigintColumn('amount_due', false, 0),
          bigintColumn('amount_paid', false, 0),
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'hosted_invoice_url', type: 'varchar', length: '2048', isNullable: true },
          { name: 'customer_email', type: 'varchar', length: '320', isNullable: true },
          bigintColumn('last_event_created'),
          ...timestampColumns(queryRunner),
        ],
        indices: [
          new TableIndex({ name: 'uq_invoices_stripe_id', columnNames: ['stripe_id'], isUnique: true }),
          new TableIndex({ name: 'ix_invoices_owner', columnNames: ['owner_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'checkout_sessions',
        columns: [
          idColumn(),
          { name: 'owner_id', type: 'varchar', length: '80' },
          { name: 'stripe_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'mode', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '32' },
          { name: 'payment_status', type: 'varchar', length: '32', isNullable: true },
          { name: 'url', type: 'varchar', length: '2048', isNullable: true },
          { name: 'subscription_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'idempotency_key', type: 'varchar', length: '255' },
          { name: 'request_hash', type: 'varchar', length: '64' },
          bigintColumn('last_event_created', true),
          ...timestampColumns(queryRunner),
        ],
        indices: [
          new TableIndex({ name: 'uq_checkout_sessions_stripe_id', columnNames: ['stripe_id'], isUnique: true }),
          new TableIndex({
            name: 'uq_checkout_sessions_owner_key',
            columnNames: ['owner_id', 'idempotency_key'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.addColumn(
      'payments',
      new TableColumn({ name: 'dispute_status', type: 'varchar', length: '32', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('payments', 'dispute_status');
    for (const table of ['checkout_sessions', 'invoices', 'subscriptions', 'billing_customers'])
      await queryRunner.dropTable(table);
  }
}
