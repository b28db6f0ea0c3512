import { Injectable, Logger } from '@nestjs/common';
import { GitHubApiClient } from '../oauth/github-login.adapter';
import { OAuthProviders } from '../oauth/oauth-providers';
import type { UnlinkedIdentity } from '../users/identities.service';

/**
 * Ends an unlinked identity's grant at its provider: RFC 7009 revocation
 * where the issuer publishes a `revocation_endpoint` (Google, most OpenID
 * Connect issuers), GitHub's grant deletion API for GitHub. The identity is
 * already gone here, so a failure is logged, not raised.
 */
@Injectable()
export class ProviderRevocation {
  private readonly logger = new Logger(ProviderRevocation.name);

  constructor(
    private readonly providers: OAuthProviders,
    private readonly github: GitHubApiClient,
  ) {}

  /** @returns whether the provider confirmed the revocation. */
  async revoke(identity: UnlinkedIdentity): Promise<boolean> {
    const provider = this.providers.get(identity.provider);
    try {
      if (provider?.oidc !== undefined) {
        // Revoking the refresh token ends the whole grant (RFC 7009 §2.1); without one, the access token.
        if (identity.refreshToken !== null) return await provider.oidc.revoke(identity.refreshToken, 'refresh_token');
        if (identity.accessToken !== null) return await provider.oidc.revoke(identity.accessToken, 'access_token');
        return false;
      }
      if (identity.provider === 'github' && provider !== undefined && identity.accessToken !== null) {
        await this.github.revokeGrant(identity.accessToken);
        return true;
      }
      return false;
    } catch (error) {
      this.logger.warn(
        { provider: identity.provider, err: error },
        `Revoking the unlinked ${identity.provider} grant failed`,
      );
      return false;
    }
  }
}
