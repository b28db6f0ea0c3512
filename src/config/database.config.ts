import { join, resolve } from 'node:path';
import { registerAs } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
import { bool, int, str } from './env.parse';
import type { EnvSpec } from './env-rules';
import { EmptyAsUndefined, IsBooleanString, IsIntString } from './env.validators';

class DatabaseEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite)',
  })
  DATABASE_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  DATABASE_MIGRATE?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 200)
  DATABASE_POOL_SIZE?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  DATABASE_PREPARED_STATEMENTS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  DATABASE_LOGGING?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  DATABASE_SSL?: string;
}

export const databaseConfig = registerAs('database', () => {
  const env = process.env;
  const url = str(env.DATABASE_URL);
  return {
    /** `postgres` when DATABASE_URL is set, otherwise the embedded SQLite file. */
    engine: url ? ('postgres' as const) : ('sqlite' as const),
    url,
    sqlitePath: join(resolve(str(env.DATA_DIR, './data')), 'portico.sqlite'),
    migrate: bool(env.DATABASE_MIGRATE, true),
    poolSize: int(env.DATABASE_POOL_SIZE, 10),
    /** PostgreSQL: prepare hand-written hot-path statements by name (off behind PgBouncer < 1.21 in transaction mode). */
    preparedStatements: bool(env.DATABASE_PREPARED_STATEMENTS, true),
    logging: bool(env.DATABASE_LOGGING, false),
    ssl: bool(env.DATABASE_SSL, false),
  };
});

export type DatabaseConfig = ReturnType<typeof databaseConfig>;

export const databaseEnv: EnvSpec = { namespace: 'database', schema: DatabaseEnv };
