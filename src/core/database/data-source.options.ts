import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../../config/database.config';
import { MIGRATIONS } from './migrations';
import { PREPARED_STATEMENTS_OPTION } from './sql-dialect';
import { TypeOrmLogger } from './typeorm.logger';

/**
 * WAL pages after which a commit checkpoints on its own connection (when no
 * SqliteCheckpointer runs), and after which the SqliteCheckpointer starts the
 * WAL over.
 */
export const SQLITE_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * What the WAL file is cut back to when it is started over: a burst may grow
 * it far past this, and SQLite would otherwise keep the file at its largest.
 * It is above the size at which the WAL is restarted (SQLITE_AUTOCHECKPOINT_PAGES
 * pages, about 40 MB, plus a second of writes), so in steady use the file is
 * reused in place, which is cheaper than growing it again.
 */
export const SQLITE_WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

interface SqlitePragmaTarget {
  pragma(source: string): unknown;
}

/**
 * TypeORM options for either engine. Shared by the app and by the migration
 * CLI so both see the same schema and migrations.
 */
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = {
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: config.logging
      ? ['error' as const, 'warn' as const, 'query' as const, 'migration' as const]
      : ['error' as const, 'warn' as const, 'migration' as const],
    logger: new TypeOrmLogger(config.logging),
    maxQueryExecutionTime: 1_000,
  };
  if (config.engine === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: config.url,
      poolSize: config.poolSize,
      ssl: config.ssl ? { rejectUnauthorized: true } : undefined,
      extra: {
        connectionTimeoutMillis: 5_000,
        application_name: 'portico',
        [PREPARED_STATEMENTS_OPTION]: config.preparedStatements,
      },
    };
  }
  mkdirSync(dirname(config.sqlitePath), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.sqlitePath,
    // WAL lets readers run while the processor writes; busy_timeout makes a
    // second writer wait instead of failing with SQLITE_BUSY. Checkpoints
    // (copying the WAL back, with fsync) run inside whichever commit crosses
    // the threshold: at 10,000 pages (about 40 MB of WAL) instead of SQLite's
    // 1,000 a webhook burst pays for a few large ones, not many small ones.
    // The app moves them off the event loop altogether (SqliteCheckpointer);
    // this threshold is for the CLI and for when that thread is not running.
    prepareDatabase: (db: SqlitePragmaTarget) => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
      db.pragma('busy_timeout = 5000');
      db.pragma(`journal_size_limit = ${SQLITE_WAL_SIZE_LIMIT_BYTES}`);
      db.pragma('foreign_keys = ON');
    },
  };
}
