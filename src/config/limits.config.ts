import { registerAs } from '@nestjs/config';
import { IsIn, IsOptional } from 'class-validator';
import { bool, int, str } from './env.parse';
import type { EnvSpec } from './env-rules';
import { EmptyAsUndefined, IsIntString } from './env.validators';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

class LimitsEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['true', 'false'])
  RATE_LIMIT_ENABLED?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 1_000_000)
  RATE_LIMIT_PER_MINUTE?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 1_000_000)
  RATE_LIMIT_ANONYMOUS_PER_MINUTE?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(0, 100_000_000)
  EMAIL_DAILY_LIMIT_PER_CALLER?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(0, MAX_SAFE)
  STORAGE_QUOTA_BYTES_PER_OWNER?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 1_000)
  HTTP_JSON_MAX_DEPTH?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1_024, 1_000_000_000)
  HTTP_MIN_UPLOAD_BYTES_PER_SECOND?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1_000, 600_000)
  HTTP_HEADERS_TIMEOUT_MS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1_000, 600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS?: string;
}

/** Users get this many recipients a day unless EMAIL_DAILY_LIMIT_PER_CALLER says otherwise. */
export const DEFAULT_USER_EMAIL_RECIPIENTS_PER_DAY = 1_000;

/**
 * Inbound limits: request budgets per caller and per anonymous IP, daily
 * email and storage quotas, and the hostile-input bounds of the HTTP server.
 */
export const limitsConfig = registerAs('limits', () => {
  const env = process.env;
  const emailLimit = str(env.EMAIL_DAILY_LIMIT_PER_CALLER);
  const storageQuota = str(env.STORAGE_QUOTA_BYTES_PER_OWNER);
  return {
    /** Benchmarks switch the inbound limiter off to measure its cost; never in production. */
    rateLimitEnabled: bool(env.RATE_LIMIT_ENABLED, true),
    perCallerPerMinute: int(env.RATE_LIMIT_PER_MINUTE, 600),
    anonymousPerMinute: int(env.RATE_LIMIT_ANONYMOUS_PER_MINUTE, 60),
    /** Recipients per rolling 24 h: users default to 1,000; API keys are unlimited unless the variable is set. */
    emailRecipientsPerDay: {
      user: emailLimit === undefined ? DEFAULT_USER_EMAIL_RECIPIENTS_PER_DAY : Number(emailLimit),
      apiKey: emailLimit === undefined ? undefined : Number(emailLimit),
    },
    /** Bytes each owner may keep stored (ready files plus pending direct uploads); undefined = unlimited. */
    storageQuotaBytes: storageQuota === undefined ? undefined : Number(storageQuota),
    jsonMaxDepth: int(env.HTTP_JSON_MAX_DEPTH, 32),
    minUploadBytesPerSecond: int(env.HTTP_MIN_UPLOAD_BYTES_PER_SECOND, 128 * 1024),
    headersTimeoutMs: int(env.HTTP_HEADERS_TIMEOUT_MS, 30_000),
    keepAliveTimeoutMs: int(env.HTTP_KEEP_ALIVE_TIMEOUT_MS, 65_000),
  };
});

export type LimitsConfig = ReturnType<typeof limitsConfig>;

export const limitsEnv: EnvSpec = {
  namespace: 'limits',
  schema: LimitsEnv,
  production: (env) =>
    env.RATE_LIMIT_ENABLED?.trim() === 'false'
      ? ['RATE_LIMIT_ENABLED: must not be false in production (it exists for benchmarks)']
      : [],
};
