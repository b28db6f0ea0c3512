import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { buildDataSourceOptions } from '../../src/core/database/data-source.options';

/**
 * A connection of the test's own to the database a spawned app uses (its
 * `DATABASE_URL`, else the SQLite file in its `DATA_DIR`), to look at rows
 * while the app runs or after it died. It never migrates: the app does.
 */
export async function openAppDatabase(
  env: Readonly<Record<string, string>>,
  extra: Partial<Pick<DataSourceOptions, 'entities'>> & { poolSize?: number; preparedStatements?: boolean } = {},
): Promise<DataSource> {
  const { poolSize = 2, preparedStatements = true, ...options } = extra;
  const ds = new DataSource({
    ...buildDataSourceOptions({
      engine: env.DATABASE_URL ? 'postgres' : 'sqlite',
      url: env.DATABASE_URL,
      sqlitePath: join(env.DATA_DIR, 'portico.sqlite'),
      migrate: false,
      poolSize,
      preparedStatements,
      logging: false,
      ssl: false,
    }),
    ...options,
  });
  return ds.initialize();
}
