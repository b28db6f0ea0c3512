import { registerAs } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { str } from './env.parse';
import { type EnvSpec, groupComplete } from './env-rules';
import { EmptyAsUndefined, IsHttpUrl } from './env.validators';

const GITHUB_GROUP = {
  label: 'login with GitHub',
  required: ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
  optional: ['GITHUB_CALLBACK_URL', 'GITHUB_AUTHORIZATION_URL', 'GITHUB_TOKEN_URL', 'GITHUB_API_URL'],
} as const;

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

export const githubOAuthConfig = registerAs('oauth.github', () => {
  const env = process.env;
  return {
    configured: groupComplete(env, GITHUB_GROUP),
    clientId: str(env.GITHUB_CLIENT_ID),
    clientSecret: str(env.GITHUB_CLIENT_SECRET),
    /** Defaults to `${PUBLIC_URL}/auth/github/callback` when unset. */
    callbackUrl: str(env.GITHUB_CALLBACK_URL),
    authorizationUrl: str(env.GITHUB_AUTHORIZATION_URL, 'https://github.com/login/oauth/authorize'),
    tokenUrl: str(env.GITHUB_TOKEN_URL, 'https://github.com/login/oauth/access_token'),
    apiUrl: str(env.GITHUB_API_URL, 'https://api.github.com').replace(/\/+$/, ''),
  };
});

export type GitHubOAuthConfig = ReturnType<typeof githubOAuthConfig>;

export const githubOAuthEnv: EnvSpec = { namespace: 'oauth.github', schema: GitHubEnv, groups: [GITHUB_GROUP] };
