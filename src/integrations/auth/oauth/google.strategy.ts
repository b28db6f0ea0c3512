import { PassportStrategy } from '@nestjs/passport';
import type { StateStore } from 'passport-oauth2';
import { Strategy } from 'passport-google-oauth20';
import type { GoogleOAuthConfig } from './oauth-google.config';
import type { OAuthIdentity } from '../users/oauth-identity';
import type { CookieStateStore } from './cookie-state.store';
import type { GoogleApiClient, GoogleUserInfo } from './google-login.adapter';
import { routeTokenExchange } from './token-exchange';
import { type TokenParams, expiresIn, firstString } from './token-params';

interface GoogleProfile {
  readonly provider: 'google';
  readonly id: string;
  readonly _json: GoogleUserInfo;
}

/**
 * Sign-in with Google (OpenID Connect scopes), state and PKCE S256 kept in
 * the login cookie. Built only when GOOGLE_CLIENT_ID/SECRET are set.
 */
export class GoogleStrategy extends PassportStrategy(Strategy, 'google', true) {
  constructor(
    config: GoogleOAuthConfig,
    callbackUrl: string,
    store: CookieStateStore,
    private readonly api: GoogleApiClient,
  ) {
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
    routeTokenExchange(this, (form) => this.api.exchangeCode(form));
  }

  /** Replaces passport-google-oauth20's profile loading, which puts the access token in the URL. */
  override userProfile(accessToken: string, done: (err?: Error | null, profile?: unknown) => void): void {
    this.api.userInfo(accessToken).then(
      (info) => done(null, { provider: 'google', id: info.sub, _json: info } satisfies GoogleProfile),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  }

  validate(
    accessToken: string,
    refreshToken: string | undefined,
    params: TokenParams,
    profile: GoogleProfile,
  ): OAuthIdentity {
    const info = profile._json;
    const email = firstString(info.email)?.toLowerCase() ?? null;
    return {
      provider: 'google',
      providerUserId: info.sub,
      email,
      // Google's userinfo says `email_verified: true` only for addresses it checked.
      emailVerified: email !== null && info.email_verified === true,
      name: firstString(info.name) ?? null,
      avatarUrl: firstString(info.picture) ?? null,
      scopes: firstString(params.scope) ?? 'openid email profile',
      accessToken,
      refreshToken: refreshToken === undefined || refreshToken === '' ? null : refreshToken,
      expiresInSeconds: expiresIn(params),
    };
  }
}
