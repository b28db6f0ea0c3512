import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { str } from '../../config/env.parse';
import { EmptyAsUndefined, IsHttpUrl } from '../../config/env.validators';
import { defineProviderConfig } from '../../config/provider-config';

class GitHubRestEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^\S{20,255}$/, {
    message: 'GITHUB_REST_TOKEN must be a GitHub token (ghp_…, github_pat_…), without spaces',
  })
  GITHUB_REST_TOKEN?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  GITHUB_REST_API_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  GITHUB_REST_USER_AGENT?: string;
}

/** The GitHub REST client (repository listing): its variables, group, secret and defaults. */
export const githubRestConfig = defineProviderConfig({
  namespace: 'githubRest',
  label: 'GitHub REST client (repository listing)',
  schema: GitHubRestEnv,
  required: ['GITHUB_REST_TOKEN'],
  optional: ['GITHUB_REST_API_URL'],
  secrets: ['GITHUB_REST_TOKEN'],
  load: (env) => ({
    token: str(env.GITHUB_REST_TOKEN),
    apiUrl: str(env.GITHUB_REST_API_URL, 'https://api.github.com').replace(/\/+$/, ''),
    /** GitHub refuses requests without a User-Agent. */
    userAgent: str(env.GITHUB_REST_USER_AGENT, 'portico'),
  }),
});

export type GitHubRestConfig = ReturnType<typeof githubRestConfig>;
