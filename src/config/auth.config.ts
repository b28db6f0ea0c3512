import { registerAs } from '@nestjs/config';
import { IsIn, IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { DEFAULT_USER_SCOPES, type Scope, isScope } from '../core/security/scopes';
import { bool, int, list, str } from './env.parse';
import { type EnvSpec, type RawEnv, isSet } from './env-rules';
import { EmptyAsUndefined, IsIntString, IsListOf } from './env.validators';

const ORIGIN = (item: string): boolean => /^https?:\/\/[^/\s]+$/.test(item);
const EMAIL = (item: string): boolean => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(item);
const DOMAIN = (item: string): boolean => /^([a-z0-9-]+\.)+[a-z0-9-]+$/i.test(item);

export const SIGNUP_POLICIES = ['open', 'allowlist', 'closed'] as const;
/** Who may become a new user: anyone, only allowed addresses and domains, or nobody. */
export type SignupPolicy = (typeof SIGNUP_POLICIES)[number];

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

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn([...SIGNUP_POLICIES])
  AUTH_SIGNUP?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['true', 'false'])
  AUTH_SIGNUP_OPEN_CONFIRMED?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsListOf(DOMAIN, 'domains (example.com)')
  AUTH_ALLOWED_EMAIL_DOMAINS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsListOf(EMAIL, 'email addresses')
  AUTH_ALLOWED_EMAILS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsListOf(
    isScope,
    'scopes (payments:read, payments:write, payments:manage, emails:read, emails:send, files:read, files:write, admin)',
  )
  AUTH_USER_SCOPES?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsListOf(EMAIL, 'email addresses')
  AUTH_ADMIN_EMAILS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(0, 300)
  AUTH_REFRESH_REUSE_GRACE_SECONDS?: string;
}

const lower = (items: string[]): string[] => items.map((item) => item.toLowerCase());

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
    /**
     * A refresh token presented again this soon after its first use returns the
     * pair already issued for it (parallel requests of one page), instead of
     * being treated as stolen; later reuse still ends the session.
     */
    refreshReuseGraceSeconds: int(env.AUTH_REFRESH_REUSE_GRACE_SECONDS, 10),
    /** Default: open outside production, closed in production (where open needs AUTH_SIGNUP_OPEN_CONFIRMED). */
    signup: (str(env.AUTH_SIGNUP) ?? (env.NODE_ENV === 'production' ? 'closed' : 'open')) as SignupPolicy,
    /** With `allowlist`: verified addresses on these domains may sign up. */
    allowedEmailDomains: lower(list(env.AUTH_ALLOWED_EMAIL_DOMAINS)),
    /** With `allowlist`: these verified addresses may sign up. */
    allowedEmails: lower(list(env.AUTH_ALLOWED_EMAILS)),
    /** What every signed-in user may do. */
    userScopes: list(env.AUTH_USER_SCOPES, DEFAULT_USER_SCOPES) as Scope[],
    /** Users whose verified address is listed also get `admin`. */
    adminEmails: lower(list(env.AUTH_ADMIN_EMAILS)),
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
    if (env.AUTH_SIGNUP?.trim() === 'open' && !bool(env.AUTH_SIGNUP_OPEN_CONFIRMED, false)) {
      problems.push(
        'AUTH_SIGNUP: open lets anyone with a Google or GitHub account become a user; use allowlist, or set AUTH_SIGNUP_OPEN_CONFIRMED=true',
      );
    }
    return problems;
  },
};
