import type { DataSource, EntityManager } from 'typeorm';

/**
 * Plain SQL for the webhook processor's hot path (one statement per step,
 * no query building or entity hydration), portable between SQLite (`?`) and
 * PostgreSQL (`$n`): `sql(manager)` returns a tagged template that binds
 * every `${value}` as a parameter.
 */
export type SqlRunner = <T = Record<string, unknown>>(
  strings: TemplateStringsArray,
  ...values: unknown[]
) => Promise<T[]>;

export function sqlFor(dataSource: DataSource, manager: EntityManager = dataSource.manager): SqlRunner {
  const postgres = dataSource.options.type === 'postgres';
  return async <T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> => {
    const params = values.map((value) => bindable(value, postgres));
    const text = strings.reduce(
      (out, part, i) => out + part + (i < values.length ? (postgres ? `$${i + 1}` : '?') : ''),
      '',
    );
    const rows: unknown = await manager.query(text, params);
    // PostgreSQL answers an UPDATE … RETURNING with [rows, count]; SQLite with the rows.
    if (postgres && Array.isArray(rows) && rows.length === 2 && Array.isArray(rows[0]) && typeof rows[1] === 'number')
      return rows[0] as T[];
    return Array.isArray(rows) ? (rows as T[]) : [];
  };
}

/** better-sqlite3 binds no Date or boolean: write them as TypeORM does (UTC `YYYY-MM-DD HH:MM:SS.SSS`, 0/1). */
function bindable(value: unknown, postgres: boolean): unknown {
  if (postgres) return value;
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}
