import type { Strategy } from 'passport';
import type { AppConfig } from '../../../config/app.config';
import type { IdentityConfig, OidcIssuerSettings } from '../oidc/oidc.config';
import { OidcIssuerClient } from '../oidc/oidc-issuer.client';
import { OidcStrategy } from '../oidc/oidc.strategy';
import type { ProviderCalls } from '../oidc/provider-calls';
import { type BuiltInProviderName, type OAuthProviderName } from '../users/oauth-identity';
import { CookieStateStore, type CookieStateStoreDeps } from './cookie-state.store';
import type { GitHubApiClient } from './github-login.adapter';
import { GitHubStrategy } from './github.strategy';
import { type GitHubOAuthConfig, githubOAuthConfig } from './oauth-github.config';
import { type GoogleOAuthConfig, googleOAuthConfig } from './oauth-google.config';

export interface ConfiguredProvider {
  readonly name: OAuthProviderName;
  readonly label: string;
  readonly strategy: Strategy;
  readonly store: CookieStateStore;
  /** Extra options for the redirect to the provider. */
  readonly authorizeOptions: Readonly<Record<string, string>>;
  /** OpenID Connect providers (Google and `OIDC_PROVIDERS`): refresh and revocation. */
  readonly oidc?: OidcIssuerClient;
}

/** Variables that enable each built-in provider, for the "not configured" answer. */
export const PROVIDER_VARIABLES: Readonly<Record<BuiltInProviderName, readonly string[]>> = {
  google: googleOAuthConfig.declaration.required,
  github: githubOAuthConfig.declaration.required,
};

export interface OAuthProvidersDeps {
  readonly app: AppConfig;
  readonly google: GoogleOAuthConfig;
  readonly github: GitHubOAuthConfig;
  readonly identity: IdentityConfig;
  readonly state: CookieStateStoreDeps;
  readonly githubApi: GitHubApiClient;
  readonly calls: ProviderCalls;
}

/**
 * The configured login providers, in the order the page shows them:
 * Google, GitHub, then `OIDC_PROVIDERS`. A provider is built only when its
 * credentials are set; the built-in ones stay absent otherwise (503).
 */
export class OAuthProviders {
  private readonly byName = new Map<OAuthProviderName, ConfiguredProvider>();

  constructor(deps: OAuthProvidersDeps) {
    const { app, google, github } = deps;
    if (google.configured) {
      this.addOidc(deps, {
        name: 'google',
        label: 'Google',
        issuer: google.issuer,
        clientId: google.clientId ?? '',
        clientSecret: google.clientSecret ?? '',
        scopes: 'openid email profile',
        callbackUrl: google.callbackUrl,
        // Google issues tokens as https://accounts.google.com only, which the library checks.
        trustedIssuers: [],
        authorizeParams: google.offlineAccess ? { access_type: 'offline', prompt: 'consent' } : {},
      });
    }
    if (github.configured) {
      const store = new CookieStateStore('github', deps.state);
      const strategy = new GitHubStrategy(
        github,
        github.callbackUrl ?? `${app.publicUrl}/auth/github/callback`,
        store,
        deps.githubApi,
      );
      this.byName.set('github', { name: 'github', label: 'GitHub', strategy, store, authorizeOptions: {} });
    }
    for (const issuer of deps.identity.issuers) this.addOidc(deps, issuer);
  }

  get(name: OAuthProviderName): ConfiguredProvider | undefined {
    return this.byName.get(name);
  }

  list(): ConfiguredProvider[] {
    return [...this.byName.values()];
  }

  private addOidc(deps: OAuthProvidersDeps, settings: OidcIssuerSettings): void {
    const store = new CookieStateStore(settings.name, deps.state);
    deps.calls.declare(settings.name);
    const client = new OidcIssuerClient(settings, deps.calls);
    const strategy = new OidcStrategy(client, store, {
      callbackUrl: settings.callbackUrl ?? `${deps.app.publicUrl}/auth/${settings.name}/callback`,
      scopes: settings.scopes,
      authorizeParams: settings.authorizeParams,
      trustedIssuers: settings.trustedIssuers,
    });
    this.byName.set(settings.name, {
      name: settings.name,
      label: settings.label,
      strategy,
      store,
      authorizeOptions: {},
      oidc: client,
    });
  }
}
