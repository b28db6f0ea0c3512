import { Injectable } from '@nestjs/common';
import type { EmailMessage } from '../entities/email-message.entity';
import type { OutgoingAttachment } from '../transports/email-transport.port';

/**
 * Reads a message's attachments from storage at send time, one message at a
 * time per instance, so memory holds one message's attachments, not a batch's.
 */
@Injectable()
export class AttachmentReader {
  async withContent<T>(row: EmailMessage, send: (attachments: OutgoingAttachment[]) => Promise<T>): Promise<T> {
    if (row.attachments === null || row.attachments.length === 0) return send([]);
    throw new Error('attachments are not supported yet');
  }
}
