import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { appConfig } from '../../config/app.config';
import { authConfig } from '../../config/auth.config';
import { ProviderConfigModule } from '../../config/provider-config';
import { SecurityModule } from '../../core/security/security.module';
import { SessionVerifier } from '../../core/security/session-verifier.port';
import { AdminUsersController } from './admin-users.controller';
import { mapGithubError } from '../github-repos/github-rest.errors';
import { HttpClientModule } from '../http-client/http-client.module';
import { AuthController } from './auth.controller';
import { IdentitiesController } from './identities.controller';
import { LoginStateEntity } from './entities/login-state.entity';
import { OAuthAccountEntity } from './entities/oauth-account.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { SessionEntity } from './entities/session.entity';
import { UserEntity } from './entities/user.entity';
import { LoginPageController } from './login-page.controller';
import { GitHubApiClient } from './oauth/github-login.adapter';
import { LoginStatesService } from './oauth/login-states.service';
import { githubOAuthConfig } from './oauth/oauth-github.config';
import { googleOAuthConfig } from './oauth/oauth-google.config';
import { OAuthLoginService } from './oauth/oauth-login.service';
import { OAuthProviders } from './oauth/oauth-providers';
import { identityConfig } from './oidc/oidc.config';
import { ProviderCalls } from './oidc/provider-calls';
import { ProviderRevocation } from './tokens/provider-revocation';
import { ProviderTokens } from './tokens/provider-tokens.service';
import { ReturnToPolicy } from './oauth/return-to.policy';
import { AuthSecrets } from './sessions/auth-secrets';
import { SessionCookies } from './sessions/session-cookies';
import { SessionsService } from './sessions/sessions.service';
import { UserAccessPolicy } from './users/user-access.policy';
import { IdentitiesService } from './users/identities.service';
import { UsersService } from './users/users.service';

/**
 * Login with Google and GitHub, users, and sessions. Global because it
 * provides `SessionVerifier` to the global guard (core/security).
 */
@Global()
@Module({
  imports: [
    ProviderConfigModule.forFeature(googleOAuthConfig),
    ProviderConfigModule.forFeature(githubOAuthConfig),
    ProviderConfigModule.forFeature(identityConfig),
    TypeOrmModule.forFeature([UserEntity, OAuthAccountEntity, SessionEntity, RefreshTokenEntity, LoginStateEntity]),
    // SameOriginPolicy for /auth/refresh (the guard's CSRF check).
    SecurityModule,
    // GitHub's token exchange and profile calls; Google's readiness entry (its OpenID Connect calls go through ProviderCalls).
    HttpClientModule.registerAsync({
      name: 'google',
      inject: [googleOAuthConfig.KEY],
      useFactory: (google: ConfigType<typeof googleOAuthConfig>) => ({
        baseUrl: google.issuer,
        missingConfig: google.missing,
        secrets: google.clientSecret === undefined ? [] : [google.clientSecret],
      }),
    }),
    HttpClientModule.registerAsync({
      name: 'github',
      inject: [githubOAuthConfig.KEY],
      useFactory: (github: ConfigType<typeof githubOAuthConfig>) => ({
        baseUrl: github.apiUrl,
        missingConfig: github.missing,
        secrets: github.clientSecret === undefined ? [] : [github.clientSecret],
        headers: {
          accept: 'application/vnd.github+json',
          'user-agent': 'portico',
          'x-github-api-version': '2022-11-28',
        },
        mapError: mapGithubError,
      }),
    }),
  ],
  // IdentitiesController first: its `GET /auth/identities` must win over `GET /auth/:provider`.
  controllers: [IdentitiesController, AuthController, AdminUsersController, LoginPageController],
  providers: [
    AuthSecrets,
    UserAccessPolicy,
    SessionCookies,
    SessionsService,
    UsersService,
    IdentitiesService,
    LoginStatesService,
    ReturnToPolicy,
    GitHubApiClient,
    ProviderCalls,
    ProviderRevocation,
    ProviderTokens,
    OAuthLoginService,
    {
      provide: OAuthProviders,
      inject: [
        appConfig.KEY,
        authConfig.KEY,
        googleOAuthConfig.KEY,
        githubOAuthConfig.KEY,
        identityConfig.KEY,
        AuthSecrets,
        SessionCookies,
        LoginStatesService,
        GitHubApiClient,
        ProviderCalls,
      ],
      useFactory: (
        app: ConfigType<typeof appConfig>,
        auth: ConfigType<typeof authConfig>,
        google: ConfigType<typeof googleOAuthConfig>,
        github: ConfigType<typeof githubOAuthConfig>,
        identity: ConfigType<typeof identityConfig>,
        secrets: AuthSecrets,
        cookies: SessionCookies,
        states: LoginStatesService,
        githubApi: GitHubApiClient,
        calls: ProviderCalls,
      ) =>
        new OAuthProviders({
          app,
          google,
          github,
          identity,
          state: { box: secrets.stateBox, cookies, states, ttlSeconds: auth.loginStateTtlSeconds },
          githubApi,
          calls,
        }),
    },
    { provide: SessionVerifier, useExisting: SessionsService },
  ],
  exports: [SessionVerifier, UsersService, ProviderTokens],
})
export class AuthModule {}
