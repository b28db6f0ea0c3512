import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column builders for migrations, so one migration set runs on SQLite and
 * PostgreSQL. Only the types that differ between engines are chosen here.
 */
export function isPostgres(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.options.type === 'postgres';
}

/** Primary key holding an app-generated UUID (v7, see `ids.ts`). */
export function idColumn(name = 'id'): TableColumnOptions {
  return { name, type: 'varchar', length: '36', isPrimary: true };
}

/** A UUID reference (no FK constraint unless the migration adds one). */
export function uuidColumn(name: string, nullable = false): TableColumnOptions {
  return { name, type: 'varchar', length: '36', isNullable: nullable };
}

/** Timestamp with time zone on PostgreSQL; SQLite stores TypeORM's UTC datetime text. */
export function timestampColumn(queryRunner: QueryRunner, name: string, nullable = false): TableColumnOptions {
  return {
    name,
    type: isPostgres(queryRunner) ? 'timestamptz' : 'datetime',
    isNullable: nullable,
    ...(nullable ? {} : { default: 'CURRENT_TIMESTAMP' }),
  };
}

/** `created_at` and `updated_at`, both set by the database on insert. */
export function timestampColumns(queryRunner: QueryRunner): TableColumnOptions[] {
  return [timestampColumn(queryRunner, 'created_at'), timestampColumn(queryRunner, 'updated_at')];
}

/** JSON stored as text on both engines (entities use TypeORM's `simple-json`). */
export function jsonColumn(name: string, nullable = true): TableColumnOptions {
  return { name, type: 'text', isNullable: nullable };
}

/** Whole numbers that may exceed 2^31 (amounts in minor units, byte sizes). */
export function bigintColumn(name: string, nullable = false, defaultValue?: number): TableColumnOptions {
  return {
    name,
    type: 'bigint',
    isNullable: nullable,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  };
}
