import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig } from '../../config/database.config';
import { buildDataSourceOptions } from './data-source.options';
import { TransactionRunner } from './transaction-runner';

/**
 * TypeORM on the embedded SQLite file by default, PostgreSQL when
 * DATABASE_URL is set. Pending migrations run at start-up unless
 * DATABASE_MIGRATE=false; `synchronize` is never used. Global: every
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
    }),
  ],
  providers: [TransactionRunner],
  exports: [TransactionRunner],
})
export class DatabaseModule {}
