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
  GOOGLE_ISSUER?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  GOOGLE_OFFLINE_ACCESS?: string;
}

/** Login with Google (OpenID Connect, ID token verified): its variables, the group that turns it on, its secret and defaults. */
export const googleOAuthConfig = defineProviderConfig({
  namespace: 'oauth.google',
  label: 'login with Google',
  schema: GoogleEnv,
  required: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
  optional: ['GOOGLE_CALLBACK_URL', 'GOOGLE_ISSUER'],
  secrets: ['GOOGLE_CLIENT_SECRET'],
  load: (env) => ({
    clientId: str(env.GOOGLE_CLIENT_ID),
    clientSecret: str(env.GOOGLE_CLIENT_SECRET),
    /** Defaults to `${PUBLIC_URL}/auth/google/callback` when unset. */
    callbackUrl: str(env.GOOGLE_CALLBACK_URL),
    /** Google is an OpenID Connect issuer: endpoints and keys come from its discovery document. */
    issuer: str(env.GOOGLE_ISSUER, 'https://accounts.google.com'),
    offlineAccess: bool(env.GOOGLE_OFFLINE_ACCESS, false),
  }),
});

export type GoogleOAuthConfig = ConfigType<typeof googleOAuthConfig>;
