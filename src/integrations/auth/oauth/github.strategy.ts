import { PassportStrategy } from '@nestjs/passport';
import type { StateStore } from 'passport-oauth2';
import { type Profile, Strategy } from 'passport-github2';
import type { GitHubOAuthConfig } from './oauth-github.config';
import type { OAuthIdentity } from '../users/oauth-identity';
import type { CookieStateStore } from './cookie-state.store';
import type { GitHubApiClient, GitHubEmail, GitHubUser } from './github-login.adapter';
import { routeTokenExchange } from './token-exchange';
import { type TokenParams, expiresIn, firstString } from './token-params';

interface GitHubProfile extends Profile {
  readonly _json: GitHubUser;
  readonly githubEmails: readonly GitHubEmail[];
}

/**
 * Sign-in with GitHub (scopes `read:user user:email`), state and PKCE S256
 * kept in the login cookie. The address comes from `/user/emails`
 * (`primary && verified`) because `/user` shows only a public one, and
 * says nothing about verification. Built only when GITHUB_CLIENT_ID/SECRET are set.
 */
export class GitHubStrategy extends PassportStrategy(Strategy, 'github', true) {
  constructor(
    config: GitHubOAuthConfig,
    callbackUrl: string,
    store: CookieStateStore,
    private readonly api: GitHubApiClient,
  ) {
    super({
      clientID: config.clientId ?? '',
      clientSecret: config.clientSecret ?? '',
      callbackURL: callbackUrl,
      authorizationURL: config.authorizationUrl,
      tokenURL: config.tokenUrl,
      userProfileURL: `${config.apiUrl}/user`,
      userEmailURL: `${config.apiUrl}/user/emails`,
      scope: ['read:user', 'user:email'],
      userAgent: 'portico',
      // A store object turns state on; PKCE verifiers travel through it too.
      pkce: true,
      store: store as unknown as StateStore,
    });
    routeTokenExchange(this, (form) => this.api.exchangeCode(form));
  }

  /** Replaces passport-github2's profile loading (it takes the primary address even when unverified). */
  override userProfile(accessToken: string, done: (err?: Error | null, profile?: unknown) => void): void {
    Promise.all([this.api.user(accessToken), this.api.emails(accessToken)]).then(
      ([user, emails]) => {
        const profile = {
          provider: 'github',
          id: String(user.id),
          displayName: user.name ?? user.login,
          _json: user,
          githubEmails: emails,
        };
        done(null, profile);
      },
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  }

  validate(
    accessToken: string,
    refreshToken: string | undefined,
    params: TokenParams,
    profile: GitHubProfile,
  ): OAuthIdentity {
    const verified = profile.githubEmails.find((item) => item.primary && item.verified);
    const email = verified?.email.toLowerCase() ?? firstString(profile._json.email)?.toLowerCase() ?? null;
    return {
      provider: 'github',
      providerUserId: String(profile._json.id),
      email,
      emailVerified: verified !== undefined,
      name: firstString(profile._json.name) ?? profile._json.login,
      avatarUrl: firstString(profile._json.avatar_url) ?? null,
      scopes: firstString(params.scope)?.replace(/,/g, ' ') ?? 'read:user user:email',
      accessToken,
      refreshToken: refreshToken === undefined || refreshToken === '' ? null : refreshToken,
      expiresInSeconds: expiresIn(params),
    };
  }
}
