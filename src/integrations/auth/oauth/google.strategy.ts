import { PassportStrategy } from '@nestjs/passport';
import type { StateStore } from 'passport-oauth2';
import { type Profile, Strategy } from 'passport-google-oauth20';
import type { GoogleOAuthConfig } from '../../../config/oauth-google.config';
import type { OAuthIdentity } from '../users/oauth-identity';
import type { CookieStateStore } from './cookie-state.store';
import { type TokenParams, expiresIn, firstString } from './token-params';

/**
 * Sign-in with Google (OpenID Connect scopes), state and PKCE S256 kept in
 * the login cookie. Built only when GOOGLE_CLIENT_ID/SECRET are set.
 */
export class GoogleStrategy extends PassportStrategy(Strategy, 'google', true) {
  constructor(config: GoogleOAuthConfig, callbackUrl: string, store: CookieStateStore) {
    super({
      clientID: config.clientId ?? '',
      clientSecret: config.clientSecret ?? '',
      callbackURL: callbackUrl,
      authorizationURL: config.authorizationUrl,
      tokenURL: config.tokenUrl,
      userProfileURL: config.userInfoUrl,
      scope: ['openid', 'email', 'profile'],
      // A store object turns state on; PKCE verifiers travel through it too.
      pkce: true,
      store: store as unknown as StateStore,
    });
  }

  validate(accessToken: string, refreshToken: string | undefined, params: TokenParams, profile: Profile): OAuthIdentity {
    const json: Record<string, unknown> = profile._json as unknown as Record<string, unknown>;
    const email = firstString(json.email)?.toLowerCase() ?? null;
    return {
      provider: 'google',
      providerUserId: String(profile.id),
      email,
      // Google's userinfo says `email_verified: true` only for addresses it checked.
      emailVerified: email !== null && json.email_verified === true,
      name: firstString(json.name) ?? null,
      avatarUrl: firstString(json.picture) ?? null,
      scopes: firstString(params.scope) ?? 'openid email profile',
      accessToken,
      refreshToken: refreshToken === undefined || refreshToken === '' ? null : refreshToken,
      expiresInSeconds: expiresIn(params),
    };
  }
}
