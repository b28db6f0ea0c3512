import { registerAs } from '@nestjs/config';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { str } from './env.parse';
import { type EnvSpec, groupComplete } from './env-rules';
import { EmptyAsUndefined, IsHttpUrl } from './env.validators';

const GITHUB_REST_GROUP = {
  label: 'GitHub REST client (repository listing)',
  required: ['GITHUB_REST_TOKEN'],
  optional: ['GITHUB_REST_API_URL'],
} as const;

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

/** The worked example of docs/EXTENDING.md: a GitHub REST client built on HttpClientModule. */
export const githubRestConfig = registerAs('githubRest', () => {
  const env = process.env;
  return {
    /** False without GITHUB_REST_TOKEN: the routes answer 503 "not configured". */
    configured: groupComplete(env, GITHUB_REST_GROUP),
    token: str(env.GITHUB_REST_TOKEN),
    apiUrl: str(env.GITHUB_REST_API_URL, 'https://api.github.com').replace(/\/+$/, ''),
    /** GitHub refuses requests without a User-Agent. */
    userAgent: str(env.GITHUB_REST_USER_AGENT, 'portico'),
  };
});

export type GitHubRestConfig = ReturnType<typeof githubRestConfig>;

export const githubRestEnv: EnvSpec = { namespace: 'githubRest', schema: GitHubRestEnv, groups: [GITHUB_REST_GROUP] };
