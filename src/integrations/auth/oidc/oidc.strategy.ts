import type { Request } from 'express';
import * as oidc from 'openid-client';
import passport from 'passport';
import type { CookieStateStore, LoginState, StateFailure } from '../oauth/cookie-state.store';
import type { OAuthIdentity } from '../users/oauth-identity';
import type { OidcIssuerClient, TokenSet } from './oidc-issuer.client';

export interface OidcLoginOptions {
  /** Exact redirect URI registered at the issuer. */
  readonly callbackUrl: string;
  readonly scopes: string;
  readonly authorizeParams: Readonly<Record<string, string>>;
  /** Token issuers whose verified addresses are trusted (see `trustedEmail`). */
  readonly trustedIssuers: readonly string[];
}

/**
 * Login with any OpenID Connect issuer, as a passport strategy so it runs
 * like the others (`runStrategy`): without a `code` it redirects to the
 * issuer with `state`, PKCE S256 and a `nonce` (all three sealed in the
 * login cookie); with one it checks the state, exchanges the code and lets
 * `openid-client` verify the ID token, then reports the identity.
 */
export class OidcStrategy extends passport.Strategy {
  override readonly name: string;

  constructor(
    readonly client: OidcIssuerClient,
    private readonly store: CookieStateStore,
    private readonly options: OidcLoginOptions,
  ) {
    super();
    this.name = client.name;
  }

  override authenticate(req: Request, options?: { state?: Partial<LoginState> }): void {
    const work = typeof req.query.code === 'string' ? this.finish(req) : this.begin(req, options?.state ?? {});
    work.catch((error: unknown) => this.error(error instanceof Error ? error : new Error(String(error))));
  }

  private async begin(req: Request, state: Partial<LoginState>): Promise<void> {
    // Discovery first: an unreachable issuer must not leave a pending state behind.
    await this.client.config();
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const handle = await new Promise<string>((resolve, reject) =>
      this.store.store(req, verifier, { ...state, nonce }, undefined, (error, value) =>
        error !== null || value === undefined ? reject(error ?? new Error('No state')) : resolve(value),
      ),
    );
    const url = await this.client.authorizationUrl({
      redirect_uri: this.options.callbackUrl,
      scope: this.options.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: handle,
      nonce,
      ...this.options.authorizeParams,
    });
    this.redirect(url.href);
  }

  private async finish(req: Request): Promise<void> {
    const verified = await new Promise<{ verifier: string | false; info?: LoginState | StateFailure }>(
      (resolve, reject) =>
        this.store.verify(req, req.query.state, undefined, (error, verifier, info) =>
          error !== null ? reject(error) : resolve({ verifier, info }),
        ),
    );
    if (verified.verifier === false) return this.fail(verified.info, 400);
    const login = verified.info as LoginState;
    const query = new URL(req.originalUrl, 'http://callback.invalid').search;
    const tokens: TokenSet = await this.client.exchange(new URL(`${this.options.callbackUrl}${query}`), {
      pkceCodeVerifier: verified.verifier,
      expectedState: req.query.state as string,
      // A login without a nonce in its cookie cannot match any ID token: a missing nonce claim is refused too.
      expectedNonce: login.nonce ?? oidc.randomNonce(),
      idTokenExpected: true,
    });
    this.success(identityOf(this.client.name, tokens, this.options.trustedIssuers), { state: login });
  }
}

/**
 * Whether the ID token's address may link accounts: `email_verified` must
 * be true, and when trusted issuers are listed the token's `iss` must be one
 * of them. A multi-tenant issuer (Microsoft `common`/`organizations`) lets
 * any tenant vouch for any address, so without a list it is never trusted.
 */
export function trustedEmail(claims: oidc.IDToken, trustedIssuers: readonly string[]): boolean {
  if (claims.email_verified !== true) return false;
  if (trustedIssuers.length > 0) return trustedIssuers.includes(claims.iss);
  return !/^https:\/\/login\.microsoftonline\.com\/[0-9a-f-]{36}\//.test(claims.iss);
}

function identityOf(provider: string, tokens: TokenSet, trustedIssuers: readonly string[]): OAuthIdentity {
  const claims = tokens.claims() as oidc.IDToken;
  const email = typeof claims.email === 'string' && claims.email !== '' ? claims.email.toLowerCase() : null;
  return {
    provider,
    providerUserId: claims.sub,
    email,
    emailVerified: email !== null && trustedEmail(claims, trustedIssuers),
    name: typeof claims.name === 'string' ? claims.name : null,
    avatarUrl: typeof claims.picture === 'string' ? claims.picture : null,
    scopes: tokens.scope ?? '',
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    expiresInSeconds: tokens.expiresIn() ?? null,
  };
}
