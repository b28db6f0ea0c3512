import { MailService, type MailDataRequired } from '@sendgrid/mail';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { sendgridConfig } from '../sendgrid.config';
import { ProviderFailedError } from '../../../core/errors/integration.error';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';
import { type EmailTransport, MESSAGE_ID_ARG, type OutgoingEmail, type SendResult } from './email-transport.port';
import { createSendGridClient } from './sendgrid-client';
import { toIntegrationError } from './sendgrid-errors';

/**
 * Sends through SendGrid's v3 `/v3/mail/send` with the official
 * `@sendgrid/mail` (its own client instance, pointed at SENDGRID_API_BASE,
 * so tests run the real SDK against a local stand-in).
 */
@Injectable()
export class SendGridTransport implements EmailTransport {
  readonly name = 'sendgrid' as const;
  private readonly mail: MailService;
  private readonly sandboxMode: boolean;

  constructor(
    @Inject(sendgridConfig.KEY) config: ConfigType<typeof sendgridConfig>,
    /** The `sendgrid` policy's timeout (one timeout per provider). */
    timeoutMs: number,
  ) {
    this.sandboxMode = config.sandboxMode;
    this.mail = new MailService();
    this.mail.setClient(createSendGridClient(config, timeoutMs));
    // One timeout per provider: the SDK's is the `sendgrid` policy's. @sendgrid/client builds each axios
    // request from a fixed set of fields, so no AbortSignal reaches it: a timed-out attempt's request
    // is ended by this timeout, not by the policy's abort.
    this.mail.setTimeout(timeoutMs);
  }

  /**
   * Sending is not idempotent, but our message id travels in `custom_args`,
   * so a repeat after a lost answer is detectable; the outbox retries anyway.
   */
  @Resilient('sendgrid', {
    idempotent: false,
    idempotencyKey: (email: OutgoingEmail) => email.personalizations[0]?.messageId,
  })
  @Monitored('sendgrid', 'mail.send')
  async send(email: OutgoingEmail): Promise<SendResult> {
    let response;
    try {
      [response] = await this.mail.send(toMailData(email, this.sandboxMode));
    } catch (error: unknown) {
      throw toIntegrationError(error, 'mail.send');
    }
    const headers = response.headers as Record<string, unknown>;
    const id = headers['x-message-id'];
    // Sandbox mode answers 200 and delivers nothing; there may be no message id to match events by.
    if (this.sandboxMode && (typeof id !== 'string' || id === ''))
      return { providerMessageId: `sandbox:${email.personalizations[0]?.messageId ?? ''}` };
    if (typeof id !== 'string' || id === '') {
      throw new ProviderFailedError('SendGrid accepted the message without an X-Message-Id', {
        provider: 'sendgrid',
        operation: 'mail.send',
        upstreamStatus: response.statusCode,
      });
    }
    return { providerMessageId: id };
  }
}

/** Our outgoing email in `@sendgrid/mail`'s shape (camelCase; the SDK writes snake_case JSON). */
export function toMailData(email: OutgoingEmail, sandboxMode = false): MailDataRequired {
  const content = [
    ...(email.text === undefined ? [] : [{ type: 'text/plain', value: email.text }]),
    ...(email.html === undefined ? [] : [{ type: 'text/html', value: email.html }]),
  ];
  const data = {
    from: email.from.name === undefined ? email.from.email : { email: email.from.email, name: email.from.name },
    replyTo: email.replyTo,
    subject: email.subject,
    templateId: email.templateId,
    categories: email.categories === undefined ? undefined : [...email.categories],
    sendAt: email.sendAt === undefined ? undefined : Math.floor(email.sendAt.getTime() / 1000),
    batchId: email.batchId,
    asm:
      email.asm === undefined
        ? undefined
        : {
            groupId: email.asm.groupId,
            ...(email.asm.groupsToDisplay === undefined ? {} : { groupsToDisplay: [...email.asm.groupsToDisplay] }),
          },
    // Snake case already: the SDK converts nested objects to snake case but leaves array entries as given.
    attachments: email.attachments?.map((a) => ({
      content: a.content,
      filename: a.filename,
      type: a.type,
      disposition: a.disposition,
      ...(a.contentId === undefined ? {} : { content_id: a.contentId }),
    })),
    personalizations: email.personalizations.map((p) => ({
      to: [...p.to],
      ...(p.cc.length > 0 ? { cc: [...p.cc] } : {}),
      ...(p.bcc.length > 0 ? { bcc: [...p.bcc] } : {}),
      ...(p.templateData === undefined ? {} : { dynamicTemplateData: { ...p.templateData } }),
      customArgs: { [MESSAGE_ID_ARG]: p.messageId },
    })),
    ...(content.length > 0 ? { content: content as [{ type: string; value: string }] } : {}),
    ...(sandboxMode ? { mailSettings: { sandboxMode: { enable: true } } } : {}),
  };
  return data as MailDataRequired;
}
