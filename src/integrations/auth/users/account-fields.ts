import type { OAuthAccountEntity } from '../entities/oauth-account.entity';
import type { AuthSecrets } from '../sessions/auth-secrets';
import type { OAuthIdentity } from './oauth-identity';
import { tokenAad } from './token-aad';

export type AccountFields = Pick<
  OAuthAccountEntity,
  'email' | 'emailVerified' | 'scopes' | 'accessToken' | 'refreshToken' | 'tokenExpiresAt'
>;

/** An identity's row fields, its tokens sealed (AES-256-GCM) and bound to the row. */
export function accountFields(secrets: AuthSecrets, identity: OAuthIdentity): AccountFields {
  const aad = tokenAad(identity.provider, identity.providerUserId);
  return {
    email: identity.email,
    emailVerified: identity.emailVerified,
    scopes: identity.scopes.slice(0, 1000),
    accessToken: secrets.tokenBox.seal(identity.accessToken, `access:${aad}`),
    refreshToken:
      identity.refreshToken === null ? null : secrets.tokenBox.seal(identity.refreshToken, `refresh:${aad}`),
    tokenExpiresAt: identity.expiresInSeconds === null ? null : new Date(Date.now() + identity.expiresInSeconds * 1000),
  };
}

/** The fields that refresh a known identity: a missing refresh token keeps the stored one (Google sends it on consent only). */
export function refreshedAccountFields(
  secrets: AuthSecrets,
  identity: OAuthIdentity,
): Partial<AccountFields> & Pick<OAuthAccountEntity, 'status'> {
  const { refreshToken, ...fields } = accountFields(secrets, identity);
  return { ...fields, ...(refreshToken === null ? {} : { refreshToken }), status: 'active' };
}
