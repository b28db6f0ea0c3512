import type { AppConfig } from '../../../config/app.config';
import { type GitHubOAuthConfig, githubOAuthConfig } from './oauth-github.config';
import { type GoogleOAuthConfig, googleOAuthConfig } from './oauth-google.config';
import type { OAuthProviderName } from '../users/oauth-identity';
import { CookieStateStore, type CookieStateStoreDeps } from './cookie-state.store';
import type { GitHubApiClient } from './github-login.adapter';
import type { GoogleApiClient } from './google-login.adapter';
import { GitHubStrategy } from './github.strategy';
import { GoogleStrategy } from './google.strategy';

export interface ConfiguredProvider {
  readonly name: OAuthProviderName;
  readonly label: string;
  readonly strategy: GoogleStrategy | GitHubStrategy;
  readonly store: CookieStateStore;
  /** Extra options for the redirect to the provider (Google offline access). */
  readonly authorizeOptions: Readonly<Record<string, string>>;
}

/** Variables that enable each provider, for the "not configured" answer: the declarations' required groups. */
export const PROVIDER_VARIABLES: Readonly<Record<OAuthProviderName, readonly string[]>> = {
  google: googleOAuthConfig.declaration.required,
  github: githubOAuthConfig.declaration.required,
};

/**
 * The configured login providers. A strategy is constructed only when its
 * client id and secret are set; the others stay absent (routes answer 503).
 */
export class OAuthProviders {
  private readonly byName = new Map<OAuthProviderName, ConfiguredProvider>();

  constructor(
    app: AppConfig,
    google: GoogleOAuthConfig,
    github: GitHubOAuthConfig,
    stateDeps: CookieStateStoreDeps,
    apis: { readonly google: GoogleApiClient; readonly github: GitHubApiClient },
  ) {
    if (google.configured) {
      const store = new CookieStateStore('google', stateDeps);
      const strategy = new GoogleStrategy(
        google,
        google.callbackUrl ?? `${app.publicUrl}/auth/google/callback`,
        store,
        apis.google,
      );
      const authorizeOptions: Record<string, string> = google.offlineAccess
        ? { accessType: 'offline', prompt: 'consent' }
        : {};
      this.byName.set('google', { name: 'google', label: 'Google', strategy, store, authorizeOptions });
    }
    if (github.configured) {
      const store = new CookieStateStore('github', stateDeps);
      const strategy = new GitHubStrategy(
        github,
        github.callbackUrl ?? `${app.publicUrl}/auth/github/callback`,
        store,
        apis.github,
      );
      this.byName.set('github', { name: 'github', label: 'GitHub', strategy, store, authorizeOptions: {} });
    }
  }

  get(name: OAuthProviderName): ConfiguredProvider | undefined {
    return this.byName.get(name);
  }

  list(): ConfiguredProvider[] {
    return [...this.byName.values()];
  }
}
