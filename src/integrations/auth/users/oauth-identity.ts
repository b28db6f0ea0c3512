/** Providers this module can sign users in with. */
export const OAUTH_PROVIDERS = ['google', 'github'] as const;
export type OAuthProviderName = (typeof OAUTH_PROVIDERS)[number];

export function isOAuthProvider(value: string): value is OAuthProviderName {
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
