import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { traceContextColumn } from '../../durable/durable-columns';

/** The durable tables: webhook inboxes, the email outbox and the durable reactions. */
const DURABLE_TABLES = ['stripe_events', 'emails', 'sendgrid_events', 'durable_events'];

/**
 * `trace_context` on every durable row: the W3C trace context (JSON) of the
 * request or job that wrote it, so its processing continues that trace
 * across the queue. NULL when tracing is off. `durableColumns()` includes
 * the column since, so on a new database the tables already have it; this
 * adds it to databases created before.
 */
export class AddTraceContext1765300000000 implements MigrationInterface {
  name = 'AddTraceContext1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of DURABLE_TABLES) {
      if (!(await queryRunner.hasColumn(table, 'trace_context')))
        await queryRunner.addColumn(table, new TableColumn(traceContextColumn()));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of DURABLE_TABLES) await queryRunner.dropColumn(table, 'trace_context');
  }
}
