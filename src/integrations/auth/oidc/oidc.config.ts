import type { ConfigType } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { bool, list, str } from '../../../config/env.parse';
import type { RawEnv } from '../../../config/env-rules';
import { EmptyAsUndefined, IsBooleanString } from '../../../config/env.validators';
import { defineProviderConfig } from '../../../config/provider-config';

class IdentityEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  OIDC_PROVIDERS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  AUTH_LINK_BY_VERIFIED_EMAIL?: string;
}

/** One OpenID Connect issuer from `OIDC_<NAME>_*`. */
export interface OidcIssuerSettings {
  /** Lower-case route segment: `/auth/<name>`. */
  readonly name: string;
  readonly label: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: string;
  /** Undefined: `${PUBLIC_URL}/auth/<name>/callback`. */
  readonly callbackUrl: string | undefined;
  /**
   * For multi-tenant issuers (Microsoft `common`): the token issuers whose
   * verified addresses are trusted for linking. Empty: every issuer the
   * library accepted, except multi-tenant ones (never trusted without a list).
   */
  readonly trustedIssuers: readonly string[];
  /** Extra authorization parameters (Google offline access). */
  readonly authorizeParams: Readonly<Record<string, string>>;
}

/** Names that would collide with the `/auth/*` routes or the built-in providers. */
const RESERVED = new Set(['google', 'github', 'providers', 'me', 'refresh', 'logout', 'identities']);
const NAME = /^[a-z][a-z0-9]{0,30}$/;

/** `OIDC_<NAME>_<FIELD>` for a provider name (`keycloak` → `OIDC_KEYCLOAK_ISSUER`). */
export function oidcVariable(name: string, field: string): string {
  return `OIDC_${name.toUpperCase()}_${field}`;
}

/** Loopback issuers may use plain http (tests, local Keycloak); everything else must be https. */
export function isAllowedIssuerUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

function issuerProblems(env: RawEnv): string[] {
  const problems: string[] = [];
  for (const name of list(env.OIDC_PROVIDERS)) {
    if (!NAME.test(name) || RESERVED.has(name)) {
      problems.push(`OIDC_PROVIDERS: "${name}" must be lower-case letters and digits and not a reserved name`);
      continue;
    }
    for (const field of ['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET']) {
      if (str(env[oidcVariable(name, field)]) === undefined)
        problems.push(`${oidcVariable(name, field)}: required because OIDC_PROVIDERS lists ${name}`);
    }
    const issuer = str(env[oidcVariable(name, 'ISSUER')]);
    if (issuer !== undefined && !isAllowedIssuerUrl(issuer))
      problems.push(`${oidcVariable(name, 'ISSUER')}: must be an https URL (http only on loopback)`);
    const callback = str(env[oidcVariable(name, 'CALLBACK_URL')]);
    if (callback !== undefined && !/^https?:\/\/[^\s]+$/.test(callback))
      problems.push(`${oidcVariable(name, 'CALLBACK_URL')}: must be an http(s) URL`);
  }
  return problems;
}

function offlineParams(scopes: string): Readonly<Record<string, string>> {
  return scopes.split(/\s+/).includes('offline_access') ? { prompt: 'consent' } : {};
}

function issuers(env: RawEnv): OidcIssuerSettings[] {
  return list(env.OIDC_PROVIDERS)
    .filter((name) => NAME.test(name) && !RESERVED.has(name))
    .map((name) => ({
      name,
      label: str(env[oidcVariable(name, 'LABEL')], name.charAt(0).toUpperCase() + name.slice(1)),
      issuer: str(env[oidcVariable(name, 'ISSUER')], ''),
      clientId: str(env[oidcVariable(name, 'CLIENT_ID')], ''),
      clientSecret: str(env[oidcVariable(name, 'CLIENT_SECRET')], ''),
      scopes: str(env[oidcVariable(name, 'SCOPES')], 'openid email profile'),
      callbackUrl: str(env[oidcVariable(name, 'CALLBACK_URL')]),
      trustedIssuers: list(env[oidcVariable(name, 'TRUSTED_ISSUERS')]),
      // OpenID Connect Core 11: offline_access is honoured only with prompt=consent.
      authorizeParams: offlineParams(str(env[oidcVariable(name, 'SCOPES')], '')),
    }));
}

/**
 * Generic OpenID Connect login providers (`OIDC_PROVIDERS=microsoft,keycloak`
 * plus `OIDC_<NAME>_ISSUER|CLIENT_ID|CLIENT_SECRET`, optional `_SCOPES`,
 * `_CALLBACK_URL`, `_LABEL`, `_TRUSTED_ISSUERS`) and the linking rule.
 * The per-provider variables are open-ended, so `rules` checks them.
 */
export const identityConfig = defineProviderConfig({
  namespace: 'identity',
  label: 'OpenID Connect login',
  schema: IdentityEnv,
  required: [],
  secrets: ['OIDC_*_CLIENT_SECRET'],
  rules: issuerProblems,
  load: (env) => ({
    issuers: issuers(env),
    /** A new identity joins the user with the same verified address (both sides verified). */
    linkByVerifiedEmail: bool(env.AUTH_LINK_BY_VERIFIED_EMAIL, true),
  }),
});

export type IdentityConfig = ConfigType<typeof identityConfig>;
