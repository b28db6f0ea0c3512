/** Providers built in (each has its own variables); further OpenID Connect issuers come from `OIDC_PROVIDERS`. */
export const OAUTH_PROVIDERS = ['google', 'github'] as const;
export type BuiltInProviderName = (typeof OAUTH_PROVIDERS)[number];
/** A configured provider's route name: a built-in one or an `OIDC_PROVIDERS` entry. */
export type OAuthProviderName = string;

export function isBuiltInProvider(value: string): value is BuiltInProviderName {
  return (OAUTH_PROVIDERS as readonly string[]).includes(value);
}

/** What a provider told us about the person who signed in, normalised across providers. */
export interface OAuthIdentity {
  readonly provider: OAuthProviderName;
  readonly providerUserId: string;
  /** Lower-cased, or null when the provider shared none. */
  readonly email: string | null;
  /** True only when the provider says it verified `email`. */
  readonly emailVerified: boolean;
  readonly name: string | null;
  readonly avatarUrl: string | null;
  readonly scopes: string;
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly expiresInSeconds: number | null;
}
