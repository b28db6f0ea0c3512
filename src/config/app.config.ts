import { resolve } from 'node:path';
import { registerAs } from '@nestjs/config';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { bool, int, list, str } from './env.parse';
import type { EnvSpec, RawEnv } from './env-rules';
import { EmptyAsUndefined, IsIntString, IsListOf } from './env.validators';
import { type Scope, isScope } from '../core/security/scopes';

export const PORTICO_ROLES = ['all', 'api', 'worker'] as const;
export type PorticoRole = (typeof PORTICO_ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `name:sha256hex[:scope+scope…]`; without a scope list a key has every scope but `admin`. */
const API_KEY_ENTRY = /^[A-Za-z0-9_.-]{1,64}:[0-9a-fA-F]{64}(:[a-z:]+(\+[a-z:]+)*)?$/;
const isApiKeyEntry = (item: string): boolean =>
  API_KEY_ENTRY.test(item) && (item.split(':').length < 3 || scopeList(item).every(isScope));

const ORIGIN = (item: string): boolean => item === '*' || /^https?:\/\/[^/\s]+$/.test(item);

class AppEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(0, 65535)
  PORT?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  HOST?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn([...PORTICO_ROLES])
  PORTICO_ROLE?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn([...LOG_LEVELS])
  LOG_LEVEL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['true', 'false'])
  LOG_PRETTY?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsListOf(ORIGIN, 'origins (scheme://host[:port]) or *')
  CORS_ORIGINS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^(true|false|\d{1,2}|[0-9a-fA-F.:/,\s]+|loopback|linklocal|uniquelocal)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count, or a list of addresses/subnets',
  })
  TRUST_PROXY?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'HTTP_BODY_LIMIT must look like 100kb or 1mb' })
  HTTP_BODY_LIMIT?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsListOf(isApiKeyEntry, 'name:sha256hex[:scope+scope] entries (scopes: payments:read … admin)')
  API_KEYS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  METRICS_TOKEN?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(0, 120_000)
  SHUTDOWN_TIMEOUT_MS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['true', 'false'])
  API_DOCS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['true', 'false'])
  METRICS_PUBLIC?: string;
}

export interface ApiKeyEntry {
  readonly name: string;
  readonly sha256: string;
  /** Null when the entry has no list (every scope but `admin`). */
  readonly scopes: readonly Scope[] | null;
}

/** The scopes after `name:hash:` (scope names contain `:` themselves). */
function scopeList(entry: string): string[] {
  return entry.split(':').slice(2).join(':').split('+');
}

function parseApiKeys(value: string | undefined): ApiKeyEntry[] {
  return list(value).map((entry) => {
    const [name, sha256] = entry.split(':');
    const scopes = entry.split(':').length > 2 ? (scopeList(entry) as Scope[]) : null;
    return { name, sha256: sha256.toLowerCase(), scopes };
  });
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  const s = str(value);
  if (s === undefined || s === 'false') return false;
  if (s === 'true') return true;
  if (/^\d+$/.test(s)) return Number(s);
  return s;
}

export const appConfig = registerAs('app', () => {
  const env = process.env;
  const port = int(env.PORT, 3000);
  return {
    env: (str(env.NODE_ENV) ?? 'development') as 'development' | 'production' | 'test',
    port,
    host: str(env.HOST, '0.0.0.0'),
    /** `api`: store and answer, no background work; `worker`: background work, only /health/* and /metrics; `all`: both. */
    role: (str(env.PORTICO_ROLE) ?? 'all') as PorticoRole,
    dataDir: resolve(str(env.DATA_DIR, './data')),
    logLevel: (str(env.LOG_LEVEL) ?? (env.NODE_ENV === 'test' ? 'warn' : 'info')) as LogLevel,
    logPretty: bool(env.LOG_PRETTY, false),
    corsOrigins: list(env.CORS_ORIGINS, ['*']),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    bodyLimit: str(env.HTTP_BODY_LIMIT, '1mb'),
    apiKeys: parseApiKeys(env.API_KEYS),
    metricsToken: str(env.METRICS_TOKEN),
    shutdownTimeoutMs: int(env.SHUTDOWN_TIMEOUT_MS, 10_000),
    publicUrl: str(env.PUBLIC_URL, `http://localhost:${port}`).replace(/\/+$/, ''),
    /** False when publicUrl is the development default (PORT=0 makes it unknowable before listening). */
    publicUrlConfigured: str(env.PUBLIC_URL) !== undefined,
    /** /docs and /docs-json: on outside production, off in production unless API_DOCS=true. */
    apiDocs: bool(env.API_DOCS, env.NODE_ENV !== 'production'),
    /** /metrics without METRICS_TOKEN: open outside production; in production only with METRICS_PUBLIC=true. */
    metricsPublic: bool(env.METRICS_PUBLIC, env.NODE_ENV !== 'production'),
  };
});

export type AppConfig = ReturnType<typeof appConfig>;

export const appEnv: EnvSpec = {
  namespace: 'app',
  schema: AppEnv,
  production: (env: RawEnv) => {
    const problems: string[] = [];
    const origins = list(env.CORS_ORIGINS, ['*']);
    if (origins.includes('*')) {
      problems.push('CORS_ORIGINS: must list the allowed origins in production (the default * allows any site)');
    }
    if (str(env.PUBLIC_URL) === undefined) {
      // Links the app hands out (signed file URLs) must never be built from a client's Host header.
      problems.push('PUBLIC_URL: must be set in production (signed URLs and links are built from it)');
    }
    return problems;
  },
};
