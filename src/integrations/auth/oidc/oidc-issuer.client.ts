import * as oidc from 'openid-client';
import {
  ProviderFailedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  isIntegrationError,
} from '../../../core/errors/integration.error';
import { currentCallSignal } from '../../../core/resilience/call-context';
import type { ProviderCalls } from './provider-calls';

/** Bounded clock skew for `exp`/`iat`/`nbf` of ID tokens, seconds. */
export const ID_TOKEN_CLOCK_TOLERANCE_SECONDS = 30;

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
    private readonly calls: ProviderCalls,
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

  /** @throws oidc errors when the response or the ID token fails a check; IntegrationError when unreachable. */
  async exchange(callbackUrl: URL, checks: oidc.AuthorizationCodeGrantChecks): Promise<TokenSet> {
    const config = await this.config();
    // A code is single-use: one attempt.
    return this.calls.run(
      this.name,
      'token.exchange',
      () => surfaced(oidc.authorizationCodeGrant(config, callbackUrl, checks)),
      false,
    );
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
      // Plain http only for loopback issuers (the config refuses it elsewhere).
      execute: url.protocol === 'http:' ? [oidc.allowInsecureRequests, this.useFetch] : [this.useFetch],
      [oidc.customFetch]: this.fetch,
    });
  }

  private readonly useFetch = (config: oidc.Configuration): void => {
    config[oidc.customFetch] = this.fetch;
  };

  /** Outbound requests with the attempt's abort signal; transport failures become retryable integration errors. */
  private readonly fetch: oidc.CustomFetch = async (url, options) => {
    const operation = 'oidc.request';
    const signal = currentCallSignal() ?? options.signal;
    let response: Response;
    try {
      response = await fetch(url, { ...options, signal });
    } catch (error) {
      if (signal?.aborted === true)
        throw new ProviderTimeoutError(`${this.name} did not answer in time`, { provider: this.name, operation });
      throw new ProviderUnavailableError(`${this.name} could not be reached`, {
        provider: this.name,
        operation,
        retryable: true,
        cause: error,
      });
    }
    if (response.status >= 500 || response.status === 429)
      throw new ProviderFailedError(`${this.name} answered ${response.status}`, {
        provider: this.name,
        operation,
        retryable: true,
        upstreamStatus: response.status,
      });
    return response;
  };
}
