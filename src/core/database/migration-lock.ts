import { type DataSource, type Migration, MigrationExecutor } from 'typeorm';

/** Key of the PostgreSQL advisory lock that guards schema migrations (any constant works: it is per database). */
export const MIGRATION_LOCK_KEY = 7_046_851_216;

/**
 * Runs the pending migrations, one instance at a time. Instances that start
 * together on PostgreSQL would otherwise all find every migration pending and
 * race to create the same tables (the losers fail to start). A session-level
 * advisory lock, held on the same connection that runs the migrations,
 * serialises them: the first applies them, the others wait and then find
 * none pending. SQLite runs one instance per file, so it needs no lock.
 */
export async function runMigrationsExclusively(
  dataSource: DataSource,
  transaction: 'all' | 'each' = 'all',
): Promise<Migration[]> {
  if (dataSource.options.type !== 'postgres') return dataSource.runMigrations({ transaction });
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = transaction;
      return await executor.executePendingMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
