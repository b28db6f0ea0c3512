import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { googleOAuthConfig } from '../../../config/oauth-google.config';
import { ProviderFailedError } from '../../../core/errors/integration.error';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';
import { getProviderJson } from './provider-http';

/** OpenID Connect userinfo claims Google returns for `openid email profile`. */
export interface GoogleUserInfo {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  readonly picture?: string;
}

/** Google's userinfo endpoint (token in the Authorization header). */
@Injectable()
export class GoogleApiClient {
  constructor(@Inject(googleOAuthConfig.KEY) private readonly config: ConfigType<typeof googleOAuthConfig>) {}

  @Resilient('google')
  @Monitored('google', 'userinfo.get')
  async userInfo(accessToken: string): Promise<GoogleUserInfo> {
    const body = await getProviderJson('google', 'userinfo.get', this.config.userInfoUrl, accessToken, {
      Accept: 'application/json',
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
