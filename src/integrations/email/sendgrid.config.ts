import type { ConfigType } from '@nestjs/config';
import { createPublicKey } from 'node:crypto';
import { IsOptional, IsString } from 'class-validator';
import { bool, int, str } from '../../config/env.parse';
import { EmptyAsUndefined, IsBooleanString, IsHttpUrl, IsIntString } from '../../config/env.validators';
import { defineProviderConfig } from '../../config/provider-config';

class SendGridEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  SENDGRID_API_KEY?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsHttpUrl()
  SENDGRID_API_BASE?: string;

  /** Base64 (DER/SPKI) or PEM P-256 public key shown in SendGrid's event webhook settings. */
  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  SENDGRID_WEBHOOK_PUBLIC_KEY?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 86_400)
  SENDGRID_WEBHOOK_TOLERANCE_SECONDS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  SENDGRID_SANDBOX_MODE?: string;
}

/** SendGrid: its variables, the group that turns delivery on, its secret and defaults. */
export const sendgridConfig = defineProviderConfig({
  namespace: 'sendgrid',
  label: 'email delivery (SendGrid)',
  schema: SendGridEnv,
  required: ['SENDGRID_API_KEY'],
  optional: ['SENDGRID_API_BASE'],
  secrets: ['SENDGRID_API_KEY'],
  load: (env) => ({
    apiKey: str(env.SENDGRID_API_KEY),
    apiBase: str(env.SENDGRID_API_BASE, 'https://api.sendgrid.com'),
    webhookPublicKey: str(env.SENDGRID_WEBHOOK_PUBLIC_KEY),
    webhookToleranceSeconds: int(env.SENDGRID_WEBHOOK_TOLERANCE_SECONDS, 600),
    /** SendGrid validates every request but delivers nothing (mail_settings.sandbox_mode). */
    sandboxMode: bool(env.SENDGRID_SANDBOX_MODE, false),
  }),
  rules: (env) => {
    const key = str(env.SENDGRID_WEBHOOK_PUBLIC_KEY);
    return key !== undefined && !isP256PublicKey(key)
      ? [
          "SENDGRID_WEBHOOK_PUBLIC_KEY: must be the P-256 public key from SendGrid's event webhook settings (base64 or PEM)",
        ]
      : [];
  },
});

export type SendGridConfig = ConfigType<typeof sendgridConfig>;

/** True when `text` is a P-256 public key, base64 DER (as SendGrid shows it) or PEM. */
export function isP256PublicKey(text: string): boolean {
  try {
    const key = text.includes('BEGIN PUBLIC KEY')
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}
