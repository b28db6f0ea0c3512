import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { durableColumns, durableIndexes } from '../../durable/durable-columns';

/**
 * `durable_events`: one row per (domain event, durable consumer), written in
 * the transaction of the state change it reports, delivered at least once.
 */
export class CreateDurableEvents1765200000000 implements MigrationInterface {
  name = 'CreateDurableEvents1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'durable_events',
        columns: [
          ...durableColumns(queryRunner),
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'consumer', type: 'varchar', length: '160' },
          { name: 'dedupe_key', type: 'varchar', length: '255' },
          { name: 'payload', type: 'text' },
        ],
        indices: [
          ...durableIndexes('durable_events'),
          new TableIndex({
            name: 'uq_durable_events_consumer_key',
            columnNames: ['consumer', 'dedupe_key'],
            isUnique: true,
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('durable_events');
  }
}
