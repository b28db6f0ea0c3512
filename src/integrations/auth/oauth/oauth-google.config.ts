import type { ConfigType } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { bool, str } from '../../../config/env.parse';
import { EmptyAsUndefined, IsBooleanString, IsHttpUrl } from '../../../config/env.validators';
import { defineProviderConfig } from '../../../config/provider-config';

class GoogleEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  GOOGLE_CLIENT_ID?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  GOOGLE_CLIENT_SECRET?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  GOOGLE_CALLBACK_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  GOOGLE_AUTHORIZATION_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  GOOGLE_TOKEN_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  GOOGLE_USERINFO_URL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  GOOGLE_OFFLINE_ACCESS?: string;
}

/** Login with Google: its variables, the group that turns it on, its secret and defaults. */
export const googleOAuthConfig = defineProviderConfig({
  namespace: 'oauth.google',
  label: 'login with Google',
  schema: GoogleEnv,
  required: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
  optional: ['GOOGLE_CALLBACK_URL', 'GOOGLE_AUTHORIZATION_URL', 'GOOGLE_TOKEN_URL', 'GOOGLE_USERINFO_URL'],
  secrets: ['GOOGLE_CLIENT_SECRET'],
  load: (env) => ({
    clientId: str(env.GOOGLE_CLIENT_ID),
    clientSecret: str(env.GOOGLE_CLIENT_SECRET),
    /** Defaults to `${PUBLIC_URL}/auth/google/callback` when unset. */
    callbackUrl: str(env.GOOGLE_CALLBACK_URL),
    authorizationUrl: str(env.GOOGLE_AUTHORIZATION_URL, 'https://accounts.google.com/o/oauth2/v2/auth'),
    tokenUrl: str(env.GOOGLE_TOKEN_URL, 'https://oauth2.googleapis.com/token'),
    userInfoUrl: str(env.GOOGLE_USERINFO_URL, 'https://www.googleapis.com/oauth2/v3/userinfo'),
    offlineAccess: bool(env.GOOGLE_OFFLINE_ACCESS, false),
  }),
});

export type GoogleOAuthConfig = ConfigType<typeof googleOAuthConfig>;
