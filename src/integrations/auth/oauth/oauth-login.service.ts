import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthorizationError, InternalOAuthError, TokenError } from 'passport-oauth2';
import { IntegrationError, ProviderNotConfiguredError } from '../../../core/errors/integration.error';
import { SessionCookies } from '../sessions/session-cookies';
import { SessionsService } from '../sessions/sessions.service';
import * as oidc from 'openid-client';
import { IdTokenRejectedError } from '../oidc/oidc-issuer.client';
import { type OAuthIdentity, type OAuthProviderName, isBuiltInProvider } from '../users/oauth-identity';
import { IdentitiesService, IdentityInUseError, ProviderAlreadyLinkedError } from '../users/identities.service';
import { SignupNotAllowedError, UserDisabledError, UsersService } from '../users/users.service';
import type { LoginState, StateFailure } from './cookie-state.store';
import { type ConfiguredProvider, OAuthProviders, PROVIDER_VARIABLES } from './oauth-providers';
import { ReturnToPolicy } from './return-to.policy';
import { runStrategy } from './run-strategy';

/** `error` codes a failed login sends the front end (documented in docs/LOGIN.md). */
export type LoginErrorCode =
  | StateFailure['code']
  | 'access_denied'
  | 'invalid_callback'
  | 'provider_error'
  | 'code_rejected'
  | 'provider_unavailable'
  | 'signup_not_allowed'
  | 'account_disabled'
  | 'id_token_invalid'
  | 'identity_in_use'
  | 'provider_already_linked'
  | 'login_failed';

/**
 * The browser side of a login: redirect to the provider, then handle its
 * callback (state and PKCE checked by the cookie store, code exchanged,
 * profile loaded, user found or created, session cookies set) and send the
 * browser on to an allowed `returnTo`. Every failure becomes a redirect with
 * an `error` code, never an error page.
 */
@Injectable()
export class OAuthLoginService {
  private readonly logger = new Logger(OAuthLoginService.name);

  constructor(
    private readonly providers: OAuthProviders,
    private readonly returnTo: ReturnToPolicy,
    private readonly users: UsersService,
    private readonly identities: IdentitiesService,
    private readonly sessions: SessionsService,
    private readonly cookies: SessionCookies,
  ) {}

  /**
   * Redirects the browser to the provider's consent page. With `linkUserId`
   * (signed in, `/auth/:provider/link`) the identity joins that user instead
   * of signing in; the id travels sealed in the login cookie.
   */
  async begin(name: string, returnTo: unknown, req: Request, res: Response, linkUserId?: string): Promise<void> {
    const provider = this.configured(name);
    const state: LoginState = { returnTo: this.returnTo.resolve(returnTo), linkUserId };
    const outcome = await runStrategy(provider.strategy, req, res, { ...provider.authorizeOptions, state });
    if (outcome.kind === 'redirected') return;
    // An OpenID Connect issuer whose discovery failed: back to the front end, like a failed callback.
    if (outcome.kind === 'error' && outcome.error instanceof IntegrationError && !res.headersSent) {
      this.logger.warn({ provider: provider.name, err: outcome.error }, `${provider.name} could not be reached`);
      res.redirect(302, this.failed('provider_unavailable', state.returnTo));
      return;
    }
    throw outcome.kind === 'error' ? outcome.error : new Error(`Login start ended with ${outcome.kind}`);
  }

  /** Finishes the login; returns where to send the browser (with `?error=` on failure). */
  async complete(name: string, req: Request, res: Response): Promise<string> {
    const provider = this.configured(name);
    const providerError = typeof req.query.error === 'string' ? req.query.error : undefined;
    if (providerError !== undefined) {
      // The provider refused (the user said no): the state is still spent, so it cannot be replayed.
      const verified = await this.verifyState(provider, req);
      return this.failed(providerError === 'access_denied' ? 'access_denied' : 'provider_error', verified.returnTo);
    }
    if (typeof req.query.code !== 'string' || req.query.code === '') {
      // Without a code passport would start a new login; a callback must never do that.
      const verified = await this.verifyState(provider, req);
      return this.failed('invalid_callback', verified.returnTo);
    }
    const outcome = await runStrategy(provider.strategy, req, res, {});
    switch (outcome.kind) {
      case 'success': {
        const login = (outcome.info as { state?: LoginState } | undefined)?.state;
        const returnTo = login?.returnTo;
        try {
          const identity = outcome.user as OAuthIdentity;
          if (login?.linkUserId !== undefined) {
            // Linking keeps the current session: the browser is already signed in as this user.
            await this.identities.link(login.linkUserId, identity);
            return this.returnTo.resolve(returnTo);
          }
          const user = await this.users.signIn(identity);
          this.cookies.set(req, res, await this.sessions.start(user, provider.name));
        } catch (error) {
          if (error instanceof IdentityInUseError || error instanceof ProviderAlreadyLinkedError) {
            this.logger.warn({ provider: provider.name }, `${provider.name} link refused: ${error.message}`);
            return this.failed(
              error instanceof IdentityInUseError ? 'identity_in_use' : 'provider_already_linked',
              returnTo,
            );
          }
          if (error instanceof SignupNotAllowedError || error instanceof UserDisabledError) {
            this.logger.warn({ provider: provider.name }, `${provider.name} sign-in refused: ${error.message}`);
            return this.failed(
              error instanceof UserDisabledError ? 'account_disabled' : 'signup_not_allowed',
              returnTo,
            );
          }
          this.logger.error({ provider: provider.name, err: error }, `Signing in the ${provider.name} user failed`);
          return this.failed('login_failed', returnTo);
        }
        return this.returnTo.resolve(returnTo);
      }
      case 'fail': {
        const failure = outcome.info as Partial<StateFailure> | undefined;
        return this.failed(failure?.code ?? 'login_failed', failure?.returnTo);
      }
      case 'error':
        return this.failed(this.classify(provider.name, outcome.error), undefined);
      case 'redirected':
        // Unreachable: passport redirects only without a code, refused above.
        return this.failed('invalid_callback', undefined);
    }
  }

  /** @throws NotFoundException for an unknown name; ProviderNotConfiguredError for an unconfigured built-in one. */
  configured(name: string): ConfiguredProvider {
    const provider = this.providers.get(name);
    if (provider !== undefined) return provider;
    if (isBuiltInProvider(name)) throw new ProviderNotConfiguredError(name, PROVIDER_VARIABLES[name], 'login');
    throw new NotFoundException(`There is no login provider named ${name}`);
  }

  private verifyState(provider: ConfiguredProvider, req: Request): Promise<{ returnTo?: string }> {
    return new Promise((resolve) =>
      provider.store.verify(req, req.query.state, undefined, (_error, _ok, info) =>
        resolve({ returnTo: info?.returnTo }),
      ),
    );
  }

  private failed(code: LoginErrorCode, returnTo: string | undefined): string {
    return this.returnTo.withError(this.returnTo.resolve(returnTo), code);
  }

  private classify(provider: OAuthProviderName, error: unknown): LoginErrorCode {
    if (error instanceof IdTokenRejectedError) {
      this.logger.warn({ provider, err: error }, `The ${provider} ID token was refused`);
      return 'id_token_invalid';
    }
    if (error instanceof oidc.ResponseBodyError) {
      this.logger.warn(
        { provider, code: error.error },
        `The ${provider} token endpoint refused the authorization code`,
      );
      return 'code_rejected';
    }
    if (error instanceof oidc.AuthorizationResponseError) return 'provider_error';
    if (error instanceof TokenError) {
      this.logger.warn({ provider, code: error.code }, `The ${provider} token endpoint refused the authorization code`);
      return 'code_rejected';
    }
    if (error instanceof AuthorizationError) return 'provider_error';
    if (error instanceof InternalOAuthError || error instanceof IntegrationError) {
      this.logger.warn({ provider, err: error }, `Login with ${provider} failed talking to the provider`);
      return 'provider_unavailable';
    }
    // passport-oauth2 reports a 200 answer without access_token (GitHub's style of refusal) like this.
    if (error instanceof Error && error.message === 'Failed to obtain access token') return 'code_rejected';
    this.logger.error({ provider, err: error }, `Login with ${provider} failed`);
    return 'login_failed';
  }
}
