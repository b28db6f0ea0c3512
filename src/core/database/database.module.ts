import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { databaseConfig } from '../../config/database.config';
import { buildDataSourceOptions } from './data-source.options';
import { TransactionRunner } from './transaction-runner';
import { runMigrationsExclusively } from './migration-lock';
import { SqliteCheckpointer } from './sqlite-checkpointer';

/**
 * TypeORM on the embedded SQLite file by default, PostgreSQL when
 * DATABASE_URL is set. Pending migrations run at start-up unless
 * DATABASE_MIGRATE=false, one instance at a time (instances starting together
 * on PostgreSQL take turns); `synchronize` is never used. Global: every
 * module runs multi-statement work through its `TransactionRunner`.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (config: ConfigType<typeof databaseConfig>) => ({
        ...buildDataSourceOptions(config),
        migrationsRun: config.migrate,
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1_000,
      }),
      dataSourceFactory: async (options?: DataSourceOptions) => {
        if (options === undefined) throw new Error('TypeORM options missing');
        const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
        try {
          if (options.migrationsRun === true) await runMigrationsExclusively(dataSource);
        } catch (error) {
          await dataSource.destroy();
          throw error;
        }
        return dataSource;
      },
    }),
  ],
  providers: [TransactionRunner, SqliteCheckpointer],
  exports: [TransactionRunner],
})
export class DatabaseModule {}
