import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { githubOAuthConfig } from '../../../config/oauth-github.config';
import { ProviderFailedError } from '../../../core/errors/integration.error';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';
import { getProviderJson } from './provider-http';

export interface GitHubUser {
  readonly id: number | string;
  readonly login: string;
  readonly name: string | null;
  /** The public address; null when the user keeps it private. */
  readonly email: string | null;
  readonly avatar_url: string | null;
}

export interface GitHubEmail {
  readonly email: string;
  readonly primary: boolean;
  readonly verified: boolean;
}

const HEADERS = {
  Accept: 'application/vnd.github+json',
  'User-Agent': 'portico',
  'X-GitHub-Api-Version': '2022-11-28',
};

/** The two GitHub REST calls a login needs. */
@Injectable()
export class GitHubApiClient {
  constructor(@Inject(githubOAuthConfig.KEY) private readonly config: ConfigType<typeof githubOAuthConfig>) {}

  @Resilient('github')
  @Monitored('github', 'user.get')
  async user(accessToken: string): Promise<GitHubUser> {
    const body = await getProviderJson('github', 'user.get', `${this.config.apiUrl}/user`, accessToken, HEADERS);
    if (typeof body !== 'object' || body === null || !('id' in body) || !('login' in body)) {
      throw new ProviderFailedError('GitHub /user answered without an id', {
        provider: 'github',
        operation: 'user.get',
      });
    }
    return body as GitHubUser;
  }

  @Resilient('github')
  @Monitored('github', 'user.emails')
  async emails(accessToken: string): Promise<GitHubEmail[]> {
    const body = await getProviderJson(
      'github',
      'user.emails',
      `${this.config.apiUrl}/user/emails`,
      accessToken,
      HEADERS,
    );
    if (!Array.isArray(body))
      throw new ProviderFailedError('GitHub /user/emails did not answer a list', {
        provider: 'github',
        operation: 'user.emails',
      });
    return body.filter(
      (item): item is GitHubEmail =>
        typeof item === 'object' && item !== null && typeof (item as GitHubEmail).email === 'string',
    );
  }
}
