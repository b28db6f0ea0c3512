import { registerAs } from '@nestjs/config';
import { IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { list, str } from './env.parse';
import { type EnvSpec, type RawEnv, isSet } from './env-rules';
import { EmptyAsUndefined, IsListOf } from './env.validators';

const ORIGIN = (item: string): boolean => /^https?:\/\/[^/\s]+$/.test(item);

class AuthEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'AUTH_JWT_SECRET must be at least 32 characters' })
  AUTH_JWT_SECRET?: string;

  /** 32 bytes as 64 hex characters or base64 (AES-256-GCM key for provider tokens at rest). */
  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
    message: 'AUTH_TOKEN_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64',
  })
  AUTH_TOKEN_ENCRYPTION_KEY?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsListOf(ORIGIN, 'origins (scheme://host[:port])')
  AUTH_REDIRECT_ALLOWLIST?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'AUTH_DEFAULT_REDIRECT_URL must be an http(s) URL' })
  AUTH_DEFAULT_REDIRECT_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  @Matches(/^\S{1,200}$/, { message: 'AUTH_JWT_ISSUER must be 1-200 characters without spaces' })
  AUTH_JWT_ISSUER?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  @Matches(/^\S{1,200}$/, { message: 'AUTH_JWT_AUDIENCE must be 1-200 characters without spaces' })
  AUTH_JWT_AUDIENCE?: string;
}

export const authConfig = registerAs('auth', () => {
  const env = process.env;
  return {
    /** Unset outside production: a random per-process secret (sessions end with the process). */
    jwtSecret: str(env.AUTH_JWT_SECRET),
    tokenEncryptionKey: str(env.AUTH_TOKEN_ENCRYPTION_KEY),
    redirectAllowlist: list(env.AUTH_REDIRECT_ALLOWLIST),
    /** Where logins land when `returnTo` is missing or not allowed. Defaults to the app's own `/`. */
    defaultRedirectUrl: str(env.AUTH_DEFAULT_REDIRECT_URL),
    /** `iss` of session tokens; checked on every request. */
    jwtIssuer: str(env.AUTH_JWT_ISSUER, 'portico'),
    /** `aud` of session tokens; checked on every request. */
    jwtAudience: str(env.AUTH_JWT_AUDIENCE, 'portico-api'),
    /** Access token lifetime (seconds): short, refresh tokens carry the session. */
    accessTokenTtlSeconds: 15 * 60,
    /** Refresh token lifetime (seconds); each rotation starts a new period. */
    refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
    /** How long a login may take between the redirect to the provider and the callback. */
    loginStateTtlSeconds: 10 * 60,
  };
});

export type AuthConfig = ReturnType<typeof authConfig>;

export const authEnv: EnvSpec = {
  namespace: 'auth',
  schema: AuthEnv,
  production: (env: RawEnv) => {
    const problems: string[] = [];
    if (!isSet(env.AUTH_JWT_SECRET)) problems.push('AUTH_JWT_SECRET: must be set in production (signs session tokens)');
    if (!isSet(env.AUTH_TOKEN_ENCRYPTION_KEY)) {
      problems.push('AUTH_TOKEN_ENCRYPTION_KEY: must be set in production (encrypts provider tokens at rest)');
    }
    return problems;
  },
};
