import { Inject } from '@nestjs/common';

/** One recipient set of an outgoing request: one of our messages. */
export interface OutgoingPersonalization {
  /** Our message id; travels in SendGrid `custom_args` so events and duplicates match it. */
  readonly messageId: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly templateData?: Readonly<Record<string, unknown>>;
}

/** One attachment, its content already base64 (read from storage at send time). */
export interface OutgoingAttachment {
  readonly content: string;
  readonly filename: string;
  readonly type: string;
  readonly disposition: 'attachment' | 'inline';
  readonly contentId?: string;
}

/**
 * What a transport sends: shared content plus one personalization per
 * message (several when EMAIL_BATCH groups messages with the same content).
 */
export interface OutgoingEmail {
  readonly from: { readonly email: string; readonly name?: string };
  readonly replyTo?: string;
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  readonly templateId?: string;
  readonly categories?: readonly string[];
  readonly sendAt?: Date;
  /** SendGrid unsubscribe group (`asm`). */
  readonly asm?: { readonly groupId: number; readonly groupsToDisplay?: readonly number[] };
  /** Scheduled-send batch (`batch_id`), so the send can be cancelled at SendGrid. */
  readonly batchId?: string;
  readonly attachments?: readonly OutgoingAttachment[];
  readonly personalizations: readonly OutgoingPersonalization[];
}

export interface SendResult {
  /** SendGrid's `X-Message-Id` (one per request), or `log:<id>` for the log transport. */
  readonly providerMessageId: string;
}

/** Custom arg carrying our message id (SendGrid echoes custom args in every event). */
export const MESSAGE_ID_ARG = 'portico_message_id';

/**
 * Port: sends one request. Implementations throw `IntegrationError`s with a
 * correct `retryable`/`retryAfterMs`; the outbox retries or dead-letters.
 */
export interface EmailTransport {
  readonly name: 'sendgrid' | 'log';
  /** @throws IntegrationError (retryable for 429/5xx/network, not for 400/401/403/413) */
  send(email: OutgoingEmail): Promise<SendResult>;
}

export const EmailTransport = Symbol('EmailTransport');

/** `@InjectEmailTransport() transport: EmailTransport` */
export const InjectEmailTransport = (): ParameterDecorator => Inject(EmailTransport);
