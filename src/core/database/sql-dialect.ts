import { type DataSource, type EntityManager, QueryFailedError, QueryResult } from 'typeorm';

/** The part of better-sqlite3 used here (the package ships no types). */
interface SqliteStatement {
  readonly reader: boolean;
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface SqliteConnection {
  readonly inTransaction: boolean;
  readonly name: string;
  prepare(sql: string): SqliteStatement;
  pragma(source: string, options?: { simple: boolean }): unknown;
}

/** The part of a pg client (`pg.PoolClient`) used here. */
interface PgClient {
  query(query: {
    name?: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** Prepared statements per SQLite connection; the hand-written SQL is a small, fixed set. */
const statements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();
const STATEMENT_CACHE_SIZE = 500;

/**
 * PostgreSQL statement names, by SQL text, for the whole process (a name is
 * prepared on each pooled connection the first time it runs there). `null`:
 * run unnamed (its plan went stale, see `runOnPostgres`). Past the limit new
 * texts run unnamed, so a caller that builds SQL text per call cannot fill
 * the server's memory with plans.
 */
const pgStatementNames = new Map<string, string | null>();
const PG_STATEMENT_NAME_LIMIT = 200;

/**
 * Set in the PostgreSQL data-source options' `extra` (which pg ignores) when
 * hand-written statements may be prepared under a name: false behind a
 * pooler that hands each transaction a different server connection and
 * does not track prepared statements (PgBouncer before 1.21 in transaction mode).
 */
export const PREPARED_STATEMENTS_OPTION = 'preparedStatements';

/**
 * The one place that knows how SQLite and PostgreSQL differ for hand-written
 * SQL: placeholders (`?` against `$n`) and the values better-sqlite3 cannot
 * bind (Date, boolean). Plain SQL is used where it pays: hot paths (one
 * statement per state change, no query building or entity hydration).
 */
export class SqlDialect {
  readonly postgres: boolean;
  /** SQLite statements run on the connection itself, unless TypeORM is asked to log queries. */
  private readonly direct: boolean;
  /** PostgreSQL: each statement text is parsed and planned once per connection, not per call. */
  private readonly prepares: boolean;

  constructor(private readonly dataSource: DataSource) {
    const options = dataSource.options;
    this.postgres = options.type === 'postgres';
    const logging = options.logging;
    this.direct =
      !this.postgres &&
      !(logging === true || logging === 'all' || (Array.isArray(logging) && logging.includes('query')));
    this.prepares =
      options.type === 'postgres' &&
      (options.extra as Record<string, unknown> | undefined)?.[PREPARED_STATEMENTS_OPTION] === true;
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
  execute(manager: EntityManager, sql: string, parameters: readonly unknown[]): Promise<QueryResult> {
    return this.run(manager, this.positional(sql), this.bindAll(parameters));
  }

  /** `sql` already in the engine's placeholders, `parameters` already bound. */
  async run(manager: EntityManager, sql: string, parameters: unknown[]): Promise<QueryResult> {
    if (this.postgres) return this.runOnPostgres(manager, sql, parameters);
    if (this.direct) return this.runOnSqlite(sql, parameters);
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    try {
      return await runner.query(sql, parameters, true);
    } finally {
      if (manager.queryRunner === undefined) await runner.release();
    }
  }

  /**
   * pg directly, on the connection `manager` runs on (its transaction's, or
   * one from the pool), as a named statement when `prepares`: PostgreSQL then
   * parses and plans the text once per connection instead of on every call.
   * On a handled webhook that halved PostgreSQL's CPU per event (planning the
   * status write's CTE cost as much as running it). TypeORM's wrapping (its
   * promises and subscriber broadcasts) is skipped, as on SQLite; its query
   * (with DATABASE_LOGGING), slow-query and failure logs are kept, so turning
   * the query log on changes no statement. Errors are TypeORM's `QueryFailedError`.
   */
  private async runOnPostgres(manager: EntityManager, sql: string, parameters: unknown[]): Promise<QueryResult> {
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    const logger = this.dataSource.logger;
    logger.logQuery(sql, parameters, runner);
    try {
      const client = (await runner.connect()) as PgClient;
      const started = Date.now();
      const name = this.prepares ? statementName(sql) : undefined;
      let raw: Awaited<ReturnType<PgClient['query']>>;
      try {
        raw = await client.query({ name, text: sql, values: parameters });
      } catch (error) {
        if (name === undefined || !isStalePlan(error)) throw error;
        // A newer release changed a table under us (a rolling deploy's migration) and the plan's row type
        // no longer matches (`RETURNING *`): run the text unnamed from now on, planned per call.
        pgStatementNames.set(sql, null);
        // Inside a transaction the failure has aborted it: the caller's retry (a new transaction) runs unnamed.
        if (runner.isTransactionActive) throw error;
        raw = await client.query({ text: sql, values: parameters });
      }
      const elapsed = Date.now() - started;
      const slow = this.dataSource.options.maxQueryExecutionTime;
      if (slow !== undefined && slow > 0 && elapsed > slow) logger.logQuerySlow(elapsed, sql, parameters, runner);
      const result = new QueryResult();
      result.records = raw.rows;
      result.raw = raw.rows;
      result.affected = raw.rowCount ?? undefined;
      return result;
    } catch (error) {
      logger.logQueryError(error as Error, sql, parameters, runner);
      throw new QueryFailedError(sql, parameters, error as Error);
    } finally {
      if (manager.queryRunner === undefined) await runner.release();
    }
  }

  /** Whether SQLite's one connection is inside a transaction (SQLite may end one by itself on some errors). */
  sqliteInTransaction(): boolean {
    return this.sqlite().inTransaction;
  }

  /** Reads or sets a PRAGMA on SQLite's one connection (e.g. `wal_autocheckpoint = 0`); returns its simple value. */
  sqlitePragma(source: string): unknown {
    return this.sqlite().pragma(source, { simple: true });
  }

  /** The SQLite file the connection has open. */
  sqliteFile(): string {
    return this.sqlite().name;
  }

  private sqlite(): SqliteConnection {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
  }

  /**
   * better-sqlite3 directly, with its own prepared statements. TypeORM's
   * driver holds ONE connection for every caller and every transaction, so
   * this runs exactly where `manager.query` would (inside the open
   * transaction, if any), without the five promises and the subscriber
   * broadcasts TypeORM wraps around each statement — on a handled webhook's
   * dozen statements, that wrapping cost more than the SQL. Errors are
   * TypeORM's `QueryFailedError`, as through the manager.
   */
  private runOnSqlite(sql: string, parameters: unknown[]): Promise<QueryResult> {
    const connection = this.sqlite();
    let cache = statements.get(connection);
    if (cache === undefined) statements.set(connection, (cache = new Map<string, SqliteStatement>()));
    const result = new QueryResult();
    try {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = connection.prepare(sql);
        cache.set(sql, statement);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      if (statement.reader) {
        result.records = statement.all(...parameters);
        result.raw = result.records;
      } else {
        const info = statement.run(...parameters);
        result.affected = info.changes;
        result.raw = info.lastInsertRowid;
      }
    } catch (error) {
      return Promise.reject(new QueryFailedError(sql, parameters, error as Error));
    }
    return Promise.resolve(result);
  }
}

/** The name `sql` runs under on PostgreSQL; undefined: unnamed (see `pgStatementNames`). */
function statementName(sql: string): string | undefined {
  const known = pgStatementNames.get(sql);
  if (known !== undefined) return known ?? undefined;
  if (pgStatementNames.size >= PG_STATEMENT_NAME_LIMIT) return undefined;
  const name = `portico_${pgStatementNames.size + 1}`;
  pgStatementNames.set(sql, name);
  return name;
}

/** PostgreSQL refused a prepared statement whose result columns changed since it was planned (SQLSTATE 0A000). */
function isStalePlan(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return code === '0A000' && error.message.includes('cached plan must not change result type');
}

/** `sqlFor` is called per statement on hot paths: one dialect per data source. */
const dialects = new WeakMap<DataSource, SqlDialect>();

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
  let dialect = dialects.get(dataSource);
  if (dialect === undefined) dialects.set(dataSource, (dialect = new SqlDialect(dataSource)));
  return async <T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> => {
    const text = strings.reduce(
      (out, part, i) => out + part + (i < values.length ? dialect.placeholder(i + 1) : ''),
      '',
    );
    const result = await dialect.run(manager, text, dialect.bindAll(values));
    return (result.records ?? []) as T[];
  };
}
