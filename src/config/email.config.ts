import { registerAs } from '@nestjs/config';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { bool, int, str } from './env.parse';
import { type EnvSpec, type RawEnv, isSet } from './env-rules';
import { EmptyAsUndefined, IsBooleanString, IsIntString } from './env.validators';

/** SendGrid dynamic template ids: `d-` and 32 hex digits. */
export const TEMPLATE_ID_PATTERN = /^d-[0-9a-f]{32}$/i;

class EmailEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['sendgrid', 'log'])
  EMAIL_TRANSPORT?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsEmail({}, { message: 'EMAIL_FROM must be an email address' })
  EMAIL_FROM?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  EMAIL_FROM_NAME?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsEmail({}, { message: 'EMAIL_REPLY_TO must be an email address' })
  EMAIL_REPLY_TO?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsEmail({}, { message: 'EMAIL_REDIRECT_ALL_TO must be an email address' })
  EMAIL_REDIRECT_ALL_TO?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsBooleanString()
  EMAIL_BATCH?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @Matches(TEMPLATE_ID_PATTERN, {
    message: 'EMAIL_RECEIPTS_TEMPLATE_ID must be a SendGrid dynamic template id (d- and 32 hex digits)',
  })
  EMAIL_RECEIPTS_TEMPLATE_ID?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @Matches(TEMPLATE_ID_PATTERN, {
    message: 'EMAIL_INVOICE_TEMPLATE_ID must be a SendGrid dynamic template id (d- and 32 hex digits)',
  })
  EMAIL_INVOICE_TEMPLATE_ID?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 50)
  EMAIL_MAX_ATTEMPTS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(10, 3_600_000)
  EMAIL_RETRY_BASE_MS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(10, 86_400_000)
  EMAIL_RETRY_CAP_MS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 64)
  EMAIL_CONCURRENCY?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1_000, 3_600_000)
  EMAIL_LEASE_MS?: string;
}

export const emailConfig = registerAs('email', () => {
  const env = process.env;
  return {
    /** `sendgrid` when SENDGRID_API_KEY is set, else `log` (messages are logged and kept, never sent). */
    transport: (str(env.EMAIL_TRANSPORT) ?? (isSet(env.SENDGRID_API_KEY) ? 'sendgrid' : 'log')) as 'sendgrid' | 'log',
    from: str(env.EMAIL_FROM, 'no-reply@localhost'),
    fromName: str(env.EMAIL_FROM_NAME),
    replyTo: str(env.EMAIL_REPLY_TO),
    /** Staging: every message goes to this address instead; the original recipients stay on the record. */
    redirectAllTo: str(env.EMAIL_REDIRECT_ALL_TO),
    batch: bool(env.EMAIL_BATCH, false),
    receiptsTemplateId: str(env.EMAIL_RECEIPTS_TEMPLATE_ID),
    /** Invoice payment failed / needs action: the customer gets the hosted invoice link (unset = no such mail). */
    invoiceTemplateId: str(env.EMAIL_INVOICE_TEMPLATE_ID),
    maxAttempts: int(env.EMAIL_MAX_ATTEMPTS, 10),
    retryBaseMs: int(env.EMAIL_RETRY_BASE_MS, 1_000),
    retryCapMs: int(env.EMAIL_RETRY_CAP_MS, 300_000),
    concurrency: int(env.EMAIL_CONCURRENCY, 16),
    /** How long a send may take before another worker may claim the message again (covers in-call retries). */
    leaseMs: int(env.EMAIL_LEASE_MS, 60_000),
  };
});

export type EmailConfig = ReturnType<typeof emailConfig>;

export const emailEnv: EnvSpec = {
  namespace: 'email',
  schema: EmailEnv,
  rules: (env: RawEnv) => {
    const problems: string[] = [];
    if (str(env.EMAIL_TRANSPORT) === 'sendgrid' && !isSet(env.SENDGRID_API_KEY)) {
      problems.push('EMAIL_TRANSPORT: sendgrid needs SENDGRID_API_KEY');
    }
    return problems;
  },
  production: (env: RawEnv) => {
    const transport = str(env.EMAIL_TRANSPORT) ?? (isSet(env.SENDGRID_API_KEY) ? 'sendgrid' : 'log');
    // SendGrid refuses senders it has not verified; a placeholder would dead-letter every message.
    return transport === 'sendgrid' && !isSet(env.EMAIL_FROM)
      ? ['EMAIL_FROM: required in production with the sendgrid transport']
      : [];
  },
};
