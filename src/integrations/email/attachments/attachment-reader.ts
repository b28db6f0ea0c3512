import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { emailConfig } from '../../../config/email.config';
import { PermanentFailure } from '../../../core/durable/durable.types';
import { FilesService } from '../../storage/files/files.service';
import type { EmailMessage } from '../entities/email-message.entity';
import type { OutgoingAttachment } from '../transports/email-transport.port';

/** A claimed message waited so long for its turn that its lease could run out during the send: tried again later. */
export class AttachmentTurnTooLate extends Error {
  constructor(id: string) {
    super(`Email ${id} waited for other attachment sends past half its lease; sending it later instead`);
    this.name = 'AttachmentTurnTooLate';
  }
}

/**
 * Reads a message's attachments from storage when it is sent: each file is
 * streamed and base64-encoded chunk by chunk (never a second copy of its raw
 * bytes). Messages with attachments are sent one at a time per instance, so
 * memory holds one message's attachments however many such messages the
 * outbox drains at once (their sends wait their turn here; one that waited
 * past half its lease is tried again later rather than risk a second send).
 */
@Injectable()
export class AttachmentReader {
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly files: FilesService,
    @Inject(emailConfig.KEY) private readonly config: ConfigType<typeof emailConfig>,
  ) {}

  async withContent<T>(row: EmailMessage, send: (attachments: OutgoingAttachment[]) => Promise<T>): Promise<T> {
    const refs = row.attachments ?? [];
    if (refs.length === 0) return send([]);
    const run = this.turn.then(async () => {
      // Waiting here uses up the message's lease. Sending with less than half of it left could outlast it, and
      // another worker would claim the message again and send it a second time: better to send it later.
      if (row.lockedUntil !== null && row.lockedUntil.getTime() - Date.now() < this.config.leaseMs / 2)
        throw new AttachmentTurnTooLate(row.id);
      const attachments: OutgoingAttachment[] = [];
      for (const ref of refs) {
        const opened = await this.files.openReady(ref.fileId);
        // Deleted after the message was accepted: no retry can bring it back.
        if (opened === undefined) throw new PermanentFailure(`Attachment file ${ref.fileId} no longer exists`);
        attachments.push({
          content: await base64Of(opened.stream),
          filename: ref.filename,
          type: ref.contentType,
          disposition: ref.disposition,
          ...(ref.contentId === undefined ? {} : { contentId: ref.contentId }),
        });
      }
      return send(attachments);
    });
    this.turn = run.catch(() => undefined);
    return run;
  }
}

/** Base64 of a stream, encoded as it arrives (a chunk's last 0–2 bytes wait for the next, so no padding mid-way). */
export async function base64Of(stream: Readable): Promise<string> {
  const parts: string[] = [];
  let carry = Buffer.alloc(0);
  for await (const chunk of stream) {
    const bytes = carry.length === 0 ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
    const whole = bytes.length - (bytes.length % 3);
    parts.push(bytes.subarray(0, whole).toString('base64'));
    carry = Buffer.from(bytes.subarray(whole));
  }
  parts.push(carry.toString('base64'));
  return parts.join('');
}
