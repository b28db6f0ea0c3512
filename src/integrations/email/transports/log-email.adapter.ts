import { Injectable, Logger } from '@nestjs/common';
import type { EmailTransport, OutgoingEmail, SendResult } from './email-transport.port';

/**
 * The default without SendGrid: each message becomes one structured log
 * line instead of a delivery. The message itself stays in the outbox table,
 * so `GET /emails/:id` shows what would have been sent.
 */
@Injectable()
export class LogTransport implements EmailTransport {
  readonly name = 'log' as const;
  private readonly logger = new Logger('EmailLogTransport');

  send(email: OutgoingEmail): Promise<SendResult> {
    for (const p of email.personalizations) {
      this.logger.log(
        {
          email: {
            id: p.messageId,
            from: email.from,
            to: p.to,
            cc: p.cc,
            bcc: p.bcc,
            replyTo: email.replyTo,
            subject: email.subject,
            templateId: email.templateId,
            templateData: p.templateData,
            categories: email.categories,
            sendAt: email.sendAt?.toISOString(),
            text: email.text,
            html: email.html,
            asm: email.asm,
            attachments: email.attachments?.map((a) => ({
              filename: a.filename,
              type: a.type,
              base64Bytes: a.content.length,
            })),
          },
        },
        `email ${p.messageId} (log transport, not sent)`,
      );
    }
    return Promise.resolve({ providerMessageId: `log:${email.personalizations[0]?.messageId ?? 'empty'}` });
  }
}
