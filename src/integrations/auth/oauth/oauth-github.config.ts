import type { ConfigType } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { str } from '../../../config/env.parse';
import { EmptyAsUndefined, IsHttpUrl } from '../../../config/env.validators';
import { defineProviderConfig } from '../../../config/provider-config';

class GitHubEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  GITHUB_CLIENT_ID?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  GITHUB_CLIENT_SECRET?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  GITHUB_CALLBACK_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  GITHUB_AUTHORIZATION_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  GITHUB_TOKEN_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  GITHUB_API_URL?: string;
}

/** Login with GitHub: its variables, the group that turns it on, its secret and defaults. */
export const githubOAuthConfig = defineProviderConfig({
  namespace: 'oauth.github',
  label: 'login with GitHub',
  schema: GitHubEnv,
  required: ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
  optional: ['GITHUB_CALLBACK_URL', 'GITHUB_AUTHORIZATION_URL', 'GITHUB_TOKEN_URL', 'GITHUB_API_URL'],
  secrets: ['GITHUB_CLIENT_SECRET'],
  load: (env) => ({
    clientId: str(env.GITHUB_CLIENT_ID),
    clientSecret: str(env.GITHUB_CLIENT_SECRET),
    /** Defaults to `${PUBLIC_URL}/auth/github/callback` when unset. */
    callbackUrl: str(env.GITHUB_CALLBACK_URL),
    authorizationUrl: str(env.GITHUB_AUTHORIZATION_URL, 'https://github.com/login/oauth/authorize'),
    tokenUrl: str(env.GITHUB_TOKEN_URL, 'https://github.com/login/oauth/access_token'),
    apiUrl: str(env.GITHUB_API_URL, 'https://api.github.com').replace(/\/+$/, ''),
  }),
});

export type GitHubOAuthConfig = ConfigType<typeof githubOAuthConfig>;
