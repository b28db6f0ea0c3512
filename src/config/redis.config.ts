import { registerAs } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
import { str } from './env.parse';
import type { EnvSpec } from './env-rules';
import { EmptyAsUndefined } from './env.validators';

class RedisEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;
}

export const redisConfig = registerAs('redis', () => ({
  /** When set, rate-limit budgets are shared across instances through Redis. */
  url: str(process.env.REDIS_URL),
}));

export type RedisConfig = ReturnType<typeof redisConfig>;

export const redisEnv: EnvSpec = { namespace: 'redis', schema: RedisEnv };
