import { type QueryRunner, type Table, TableIndex, type TableColumnOptions } from 'typeorm';
import { idColumn, timestampColumn, timestampColumns } from '../database/migration-columns';

/**
 * The `DurableRecord` columns for a migration's `new Table({ columns })`;
 * add the table's own columns after these. Always all of them: migration
 * 1765300000000 adds a later column (`trace_context`) only where an older
 * database lacks it.
 *
 * @example
 * new Table({ name: 'stripe_events', columns: [...durableColumns(queryRunner), { name: 'type', type: 'varchar', length: '128' }] })
 */
export function durableColumns(queryRunner: QueryRunner): TableColumnOptions[] {
  return [
    idColumn(),
    { name: 'status', type: 'varchar', length: '16', default: "'pending'" },
    { name: 'attempts', type: 'integer', default: 0 },
    // Defaults to now, so a plain insert is due at once.
    timestampColumn(queryRunner, 'next_attempt_at'),
    timestampColumn(queryRunner, 'locked_until', true),
    { name: 'locked_by', type: 'varchar', length: '64', isNullable: true },
    { name: 'last_error', type: 'text', isNullable: true },
    timestampColumn(queryRunner, 'processed_at', true),
    traceContextColumn(),
    ...timestampColumns(queryRunner),
  ];
}

/** The index the processor claims through: due rows by status, oldest first. */
export function durableIndexes(table: string | Table): TableIndex[] {
  const name = typeof table === 'string' ? table : table.name;
  return [
    new TableIndex({ name: `ix_${name.replace(/\W/g, '_')}_status_due`, columnNames: ['status', 'next_attempt_at'] }),
  ];
}

/** `trace_context`: the trace that wrote the row (see `DurableRecord.traceContext`). */
export function traceContextColumn(): TableColumnOptions {
  return { name: 'trace_context', type: 'text', isNullable: true };
}
