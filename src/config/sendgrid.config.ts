import { registerAs } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { int, str } from './env.parse';
import { type EnvSpec, groupComplete } from './env-rules';
import { EmptyAsUndefined, IsHttpUrl, IsIntString } from './env.validators';

const SENDGRID_GROUP = {
  label: 'email delivery (SendGrid)',
  required: ['SENDGRID_API_KEY'],
  optional: ['SENDGRID_API_BASE'],
} as const;

class SendGridEnv {
  @EmptyAsUndefined() @IsOptional() @IsString()
  SENDGRID_API_KEY?: string;

  @EmptyAsUndefined() @IsOptional() @IsHttpUrl()
  SENDGRID_API_BASE?: string;

  /** Base64 (DER/SPKI) or PEM P-256 public key shown in SendGrid's event webhook settings. */
  @EmptyAsUndefined() @IsOptional() @IsString()
  SENDGRID_WEBHOOK_PUBLIC_KEY?: string;

  @EmptyAsUndefined() @IsOptional() @IsIntString(1, 86_400)
  SENDGRID_WEBHOOK_TOLERANCE_SECONDS?: string;

  @EmptyAsUndefined() @IsOptional() @IsIntString(100, 120_000)
  SENDGRID_TIMEOUT_MS?: string;
}

export const sendgridConfig = registerAs('sendgrid', () => {
  const env = process.env;
  return {
    configured: groupComplete(env, SENDGRID_GROUP),
    apiKey: str(env.SENDGRID_API_KEY),
    apiBase: str(env.SENDGRID_API_BASE, 'https://api.sendgrid.com'),
    webhookPublicKey: str(env.SENDGRID_WEBHOOK_PUBLIC_KEY),
    webhookToleranceSeconds: int(env.SENDGRID_WEBHOOK_TOLERANCE_SECONDS, 600),
    timeoutMs: int(env.SENDGRID_TIMEOUT_MS, 10_000),
  };
});

export type SendGridConfig = ReturnType<typeof sendgridConfig>;

export const sendgridEnv: EnvSpec = { namespace: 'sendgrid', schema: SendGridEnv, groups: [SENDGRID_GROUP] };
