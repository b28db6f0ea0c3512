import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { googleOAuthConfig } from './oauth-google.config';
import { ProviderFailedError } from '../../../core/errors/integration.error';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';
import type { HttpClient } from '../../http-client/http-client';
import { InjectHttpClient } from '../../http-client/http-client.module';
import { type TokenParams } from './token-params';
import { tokenParams } from './token-exchange';

/** OpenID Connect userinfo claims Google returns for `openid email profile`. */
export interface GoogleUserInfo {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  readonly picture?: string;
}

/** Google's token and userinfo endpoints, on the `google` HttpClient (policy, metrics, one error mapping). */
@Injectable()
export class GoogleApiClient {
  constructor(
    @Inject(googleOAuthConfig.KEY) private readonly config: ConfigType<typeof googleOAuthConfig>,
    @InjectHttpClient('google') private readonly http: HttpClient,
  ) {}

  /** An authorization code is single-use: the exchange is never retried. */
  @Resilient('google', { idempotent: false })
  @Monitored('google', 'token.exchange')
  async exchangeCode(form: Readonly<Record<string, string>>): Promise<TokenParams> {
    const answer = await this.http.post<unknown>(this.config.tokenUrl, {
      form: { ...form, client_id: this.config.clientId ?? '', client_secret: this.config.clientSecret ?? '' },
    });
    return tokenParams(answer);
  }

  /** The token goes in the Authorization header, never in the URL (URLs end up in logs). */
  @Resilient('google')
  @Monitored('google', 'userinfo.get')
  async userInfo(accessToken: string): Promise<GoogleUserInfo> {
    const body = await this.http.get<unknown>(this.config.userInfoUrl, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (typeof body !== 'object' || body === null || typeof (body as GoogleUserInfo).sub !== 'string') {
      throw new ProviderFailedError('Google userinfo answered without a subject', {
        provider: 'google',
        operation: 'userinfo.get',
      });
    }
    return body as GoogleUserInfo;
  }
}
