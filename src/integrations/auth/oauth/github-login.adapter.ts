import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { githubOAuthConfig } from './oauth-github.config';
import { ProviderFailedError } from '../../../core/errors/integration.error';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';
import type { HttpClient } from '../../http-client/http-client';
import { InjectHttpClient } from '../../http-client/http-client.module';
import { type TokenParams } from './token-params';
import { tokenParams } from './token-exchange';

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

/** The token exchange and the two GitHub REST calls a login needs, on the `github` HttpClient. */
@Injectable()
export class GitHubApiClient {
  constructor(
    @Inject(githubOAuthConfig.KEY) private readonly config: ConfigType<typeof githubOAuthConfig>,
    @InjectHttpClient('github') private readonly http: HttpClient,
  ) {}

  /** An authorization code is single-use: the exchange is never retried. */
  @Resilient('github', { idempotent: false })
  @Monitored('github', 'token.exchange')
  async exchangeCode(form: Readonly<Record<string, string>>): Promise<TokenParams> {
    const answer = await this.http.post<unknown>(this.config.tokenUrl, {
      // Without Accept: application/json GitHub answers form-encoded.
      headers: { accept: 'application/json' },
      form: { ...form, client_id: this.config.clientId ?? '', client_secret: this.config.clientSecret ?? '' },
    });
    return tokenParams(answer);
  }

  @Resilient('github')
  @Monitored('github', 'user.get')
  async user(accessToken: string): Promise<GitHubUser> {
    const body = await this.http.get<unknown>('/user', { headers: { authorization: `Bearer ${accessToken}` } });
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
    const body = await this.http.get<unknown>('/user/emails', {
      headers: { authorization: `Bearer ${accessToken}` },
    });
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

  /**
   * Deletes the OAuth app's grant for this token ("Delete an app authorization"): the user's
   * authorization of Portico ends at GitHub too. Basic auth with the app's id and secret.
   */
  @Resilient('github')
  @Monitored('github', 'grant.delete')
  async revokeGrant(accessToken: string): Promise<void> {
    const clientId = this.config.clientId ?? '';
    const basic = Buffer.from(`${clientId}:${this.config.clientSecret ?? ''}`).toString('base64');
    await this.http.delete<unknown>(`/applications/${encodeURIComponent(clientId)}/grant`, {
      headers: { authorization: `Basic ${basic}` },
      body: { access_token: accessToken },
    });
  }
}
