import * as oidc from 'openid-client';
import { isIntegrationError } from '../../../core/errors/integration.error';
import { parseRetryAfter } from '../../../core/http/retry-after';
import { currentCallSignal } from '../../../core/resilience/call-context';
import { errorForStatus, errorForTransport, upstreamRequestIdOf } from '../../http-client/http-client.errors';
import type { ProviderCalls } from './provider-calls';

/** What the client needs of `ProviderCalls` (a spec runs the calls directly). */
export type CallRunner = Pick<ProviderCalls, 'run'>;

/** Bounded clock skew for `exp`/`iat`/`nbf` of ID tokens, seconds. */
export const ID_TOKEN_CLOCK_TOLERANCE_SECONDS = 30;

function redact(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('[redacted]');
}

/**
 * openid-client wraps what our fetch throws in its `ClientError`; the
 * resilience policy and the error mapping need our own error back.
 */
async function surfaced<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof Error && isIntegrationError(error.cause)) throw error.cause;
    throw error;
  }
}

/** An ID token at most this old is accepted (it is minted by the code exchange we just made). */
export const ID_TOKEN_MAX_AGE_SECONDS = 300;

/** The ID token or the token response failed a check (signature, claims, nonce): never a sign-in. */
export class IdTokenRejectedError extends Error {
  constructor(provider: string, reason: unknown) {
    super(`${provider}: the ID token was refused (${reason instanceof Error ? reason.message : String(reason)})`, {
      cause: reason,
    });
    this.name = 'IdTokenRejectedError';
  }
}

/**
 * The library's refusals of what the issuer sent (claims, signature, algorithm: coded `OAUTH_*` or
 * `ERR_*` errors) become `IdTokenRejectedError`; the issuer's own error answers and transport
 * failures pass unchanged.
 */
function rejectedOrAsIs(provider: string, error: unknown): unknown {
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) return error;
  if (isIntegrationError(error) || !(error instanceof Error)) return error;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && /^(OAUTH_|ERR_)/.test(code) ? new IdTokenRejectedError(provider, error) : error;
}

/** The issuer refused a refresh token for good (RFC 6749 §5.2): the user must sign in again. */
export class InvalidGrantError extends Error {
  constructor(readonly provider: string) {
    super(`${provider} refused the refresh token (invalid_grant)`);
    this.name = 'InvalidGrantError';
  }
}

export interface OidcIssuerOptions {
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export type TokenSet = oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;

/**
 * One OpenID Connect issuer through `openid-client`: discovery (cached;
 * retried on the next call after a failure), the code exchange with PKCE,
 * `state` and `nonce` checks and the ID token verified by the library
 * (signature by the issuer's JWKS, which it caches and fetches again for
 * an unknown `kid`; `iss`, `aud`, `azp`, `exp`/`iat` with bounded skew,
 * `nonce`), refresh and revocation. Every request goes through the
 * provider's resilience policy (`ProviderCalls`) with the attempt's signal.
 */
export class OidcIssuerClient {
  private configuration?: Promise<oidc.Configuration>;

  constructor(
    readonly options: OidcIssuerOptions,
    private readonly calls: CallRunner,
  ) {}

  get name(): string {
    return this.options.name;
  }

  /** The discovered configuration (one discovery per process unless it failed). */
  config(): Promise<oidc.Configuration> {
    this.configuration ??= this.calls
      .run(this.name, 'oidc.discovery', () => surfaced(this.discover()))
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }

  async authorizationUrl(params: Readonly<Record<string, string>>): Promise<URL> {
    return oidc.buildAuthorizationUrl(await this.config(), params);
  }

  /**
   * @throws IdTokenRejectedError when the ID token or the token answer fails a check;
   *   oidc.ResponseBodyError when the issuer refused the code; IntegrationError when it could not be reached.
   */
  async exchange(callbackUrl: URL, checks: oidc.AuthorizationCodeGrantChecks): Promise<TokenSet> {
    const config = await this.config();
    let tokens: TokenSet;
    try {
      // A code is single-use: one attempt.
      tokens = await this.calls.run(
        this.name,
        'token.exchange',
        () => surfaced(oidc.authorizationCodeGrant(config, callbackUrl, checks)),
        false,
      );
    } catch (error) {
      throw rejectedOrAsIs(this.name, error);
    }
    this.checkClaims(tokens.claims());
    return tokens;
  }

  /**
   * What the library leaves to us: `azp`, when present, must name this client
   * (it checks it only with several audiences), and `iat` must be recent and
   * not in the future beyond the skew (it only checks that `iat` is a number).
   */
  private checkClaims(claims: oidc.IDToken | undefined): void {
    if (claims === undefined) return;
    if (claims.azp !== undefined && claims.azp !== this.options.clientId)
      throw new IdTokenRejectedError(this.name, 'azp names another client');
    const now = Math.floor(Date.now() / 1000);
    if (claims.iat > now + ID_TOKEN_CLOCK_TOLERANCE_SECONDS)
      throw new IdTokenRejectedError(this.name, 'iat is in the future');
    if (claims.iat < now - ID_TOKEN_MAX_AGE_SECONDS - ID_TOKEN_CLOCK_TOLERANCE_SECONDS)
      throw new IdTokenRejectedError(this.name, 'iat is too old');
  }

  /** @throws InvalidGrantError when the issuer refuses the refresh token for good. */
  async refresh(refreshToken: string): Promise<TokenSet> {
    const config = await this.config();
    try {
      return await this.calls.run(this.name, 'token.refresh', () =>
        surfaced(oidc.refreshTokenGrant(config, refreshToken)),
      );
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant')
        throw new InvalidGrantError(this.name);
      throw error;
    }
  }

  /** Revokes `token` where the issuer publishes a `revocation_endpoint`; false when it has none. */
  async revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<boolean> {
    const config = await this.config();
    if (config.serverMetadata().revocation_endpoint === undefined) return false;
    await this.calls.run(this.name, 'token.revoke', () =>
      surfaced(oidc.tokenRevocation(config, token, { token_type_hint: hint })),
    );
    return true;
  }

  private discover(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.options;
    const url = new URL(issuer);
    const metadata: Partial<oidc.ClientMetadata> = {
      client_secret: clientSecret,
      [oidc.clockTolerance]: ID_TOKEN_CLOCK_TOLERANCE_SECONDS,
    };
    return oidc.discovery(url, clientId, metadata, oidc.ClientSecretPost(clientSecret), {
      execute: [
        // Plain http only for loopback issuers (the config refuses it elsewhere).
        ...(url.protocol === 'http:' ? [oidc.allowInsecureRequests] : []),
        // The library skips the ID token's signature for tokens from the token endpoint (TLS vouches for the
        // issuer, OpenID Connect Core 3.1.3.7); we verify it against the JWKS anyway, as the issue asks.
        oidc.enableNonRepudiationChecks,
        this.useFetch,
      ],
      [oidc.customFetch]: this.fetch,
    });
  }

  private readonly useFetch = (config: oidc.Configuration): void => {
    config[oidc.customFetch] = this.fetch;
  };

  /**
   * Outbound requests with the attempt's abort signal and the one error
   * mapping of `http-client` (transport failures, 408/429/5xx become
   * retryable integration errors; other answers go back to openid-client,
   * which reads OAuth error bodies such as `invalid_grant` itself).
   */
  private readonly fetch: oidc.CustomFetch = async (url, options) => {
    const operation = new URL(url).pathname;
    const signal = currentCallSignal() ?? options.signal;
    let response: Response;
    try {
      response = await fetch(url, { ...options, signal });
    } catch (error) {
      throw errorForTransport(this.name, operation, error, signal);
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      const headers = Object.fromEntries(response.headers);
      throw errorForStatus({
        provider: this.name,
        operation,
        status: response.status,
        // Log-only, and never with our secret in it (an error page may echo the request).
        body: redact(await response.text().catch(() => ''), this.options.clientSecret).slice(0, 500),
        retryAfterMs: parseRetryAfter(headers['retry-after']),
        requestId: upstreamRequestIdOf(headers),
      });
    }
    return response;
  };
}
