import type { DataSource, EntityManager, QueryResult } from 'typeorm';

/**
 * The one place that knows how SQLite and PostgreSQL differ for hand-written
 * SQL: placeholders (`?` against `$n`) and the values better-sqlite3 cannot
 * bind (Date, boolean). Plain SQL is used where it pays: hot paths (one
 * statement per state change, no query building or entity hydration).
 */
export class SqlDialect {
  readonly postgres: boolean;

  constructor(dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  /** The `n`th (1-based) parameter's placeholder. */
  placeholder(n: number): string {
    return this.postgres ? `$${n}` : '?';
  }

  /** `sql` written with `?` placeholders, as the engine wants it (`$1, $2, …` on PostgreSQL). */
  positional(sql: string): string {
    if (!this.postgres) return sql;
    let index = 0;
    return sql.replace(/\?/g, () => `$${++index}`);
  }

  /** A value as the driver binds it: dates as TypeORM writes them on SQLite (UTC `YYYY-MM-DD HH:MM:SS.SSS`), booleans as 0/1. */
  bind(value: unknown): unknown {
    if (this.postgres) return value;
    if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value;
  }

  bindAll(values: readonly unknown[]): unknown[] {
    return values.map((value) => this.bind(value));
  }

  /**
   * Runs one `?`-placeholder statement through `manager` (inside its
   * transaction when it has one) and returns rows (`records`, also of
   * `… RETURNING`) and the affected count.
   */
  async execute(manager: EntityManager, sql: string, parameters: readonly unknown[]): Promise<QueryResult> {
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    try {
      return await runner.query(this.positional(sql), this.bindAll(parameters), true);
    } finally {
      if (manager.queryRunner === undefined) await runner.release();
    }
  }
}

export type SqlRunner = <T = Record<string, unknown>>(
  strings: TemplateStringsArray,
  ...values: unknown[]
) => Promise<T[]>;

/**
 * A tagged template that binds every `${value}` as a parameter and resolves
 * with the rows (also of `UPDATE … RETURNING`), through `manager` (pass a
 * transaction's manager to run inside it).
 *
 * @example
 * const rows = await sqlFor(dataSource)<{ id: string }>`SELECT id FROM payments WHERE stripe_id = ${stripeId}`;
 */
export function sqlFor(dataSource: DataSource, manager: EntityManager = dataSource.manager): SqlRunner {
  const dialect = new SqlDialect(dataSource);
  return async <T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> => {
    const text = strings.reduce(
      (out, part, i) => out + part + (i < values.length ? dialect.placeholder(i + 1) : ''),
      '',
    );
    const rows: unknown = await manager.query(text, dialect.bindAll(values));
    // PostgreSQL answers an UPDATE … RETURNING with [rows, count]; SQLite with the rows.
    if (Array.isArray(rows) && rows.length === 2 && Array.isArray(rows[0]) && typeof rows[1] === 'number')
      return rows[0] as T[];
    return Array.isArray(rows) ? (rows as T[]) : [];
  };
}
