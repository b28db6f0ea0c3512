import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { githubOAuthConfig } from '../../../config/oauth-github.config';
import { ProviderFailedError, ProviderRejectedError, ProviderUnavailableError, RateLimitedError } from '../../../core/errors/integration.error';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';

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

/** The two GitHub REST calls a login needs, with GitHub's errors turned into ours. */
@Injectable()
export class GitHubApiClient {
  constructor(@Inject(githubOAuthConfig.KEY) private readonly config: ConfigType<typeof githubOAuthConfig>) {}

  @Resilient('github', { timeoutMs: 10_000 })
  @Monitored('github', 'user.get')
  async user(accessToken: string): Promise<GitHubUser> {
    const body = await this.get('/user', accessToken, 'user.get');
    if (typeof body !== 'object' || body === null || !('id' in body) || !('login' in body)) {
      throw new ProviderFailedError('GitHub /user answered without an id', { provider: 'github', operation: 'user.get' });
    }
    return body as GitHubUser;
  }

  @Resilient('github', { timeoutMs: 10_000 })
  @Monitored('github', 'user.emails')
  async emails(accessToken: string): Promise<GitHubEmail[]> {
    const body = await this.get('/user/emails', accessToken, 'user.emails');
    if (!Array.isArray(body)) throw new ProviderFailedError('GitHub /user/emails did not answer a list', { provider: 'github', operation: 'user.emails' });
    return body.filter(
      (item): item is GitHubEmail => typeof item === 'object' && item !== null && typeof (item as GitHubEmail).email === 'string',
    );
  }

  private async get(path: string, accessToken: string, operation: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.config.apiUrl}${path}`, {
        headers: {
          Authorization: `Bearer ${accessToken}`,
          Accept: 'application/vnd.github+json',
          'User-Agent': 'portico',
          'X-GitHub-Api-Version': '2022-11-28',
        },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new ProviderUnavailableError(`GitHub ${path} could not be reached`, { provider: 'github', operation, cause });
    }
    const retryAfter = Number(res.headers.get('retry-after'));
    const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
    if (res.status === 429 || (res.status === 403 && res.headers.get('x-ratelimit-remaining') === '0')) {
      throw new RateLimitedError(`GitHub ${path} is rate limited`, { provider: 'github', operation, upstreamStatus: res.status, retryAfterMs });
    }
    if (res.status >= 500) throw new ProviderUnavailableError(`GitHub ${path} answered ${res.status}`, { provider: 'github', operation, upstreamStatus: res.status, retryAfterMs });
    if (!res.ok) throw new ProviderRejectedError(`GitHub ${path} answered ${res.status}`, { provider: 'github', operation, upstreamStatus: res.status, httpStatus: 502 });
    try {
      return (await res.json()) as unknown;
    } catch (cause) {
      throw new ProviderFailedError(`GitHub ${path} answered invalid JSON`, { provider: 'github', operation, cause });
    }
  }
}
