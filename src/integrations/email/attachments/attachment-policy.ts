import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ProblemException } from '../../../core/errors/problem.exception';
import type { Principal } from '../../../core/security';
import { FilesService } from '../../storage/files/files.service';
import { storageConfig } from '../../storage/storage.config';
import { type DeliverabilityConfig, deliverabilityConfig } from '../deliverability.config';
import type { EmailAttachmentDto } from '../dto/send-email.dto';
import type { EmailAttachmentRef } from '../entities/email-message.entity';

/** Bytes after base64: 4 characters per 3 bytes, padded. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/**
 * Checks a message's attachments when it is accepted, so nothing is queued
 * that cannot be sent: each file must be the caller's (another owner's or a
 * missing one is 404), ready, of a type the storage allow-list accepts, and
 * all of them together at most EMAIL_ATTACHMENTS_MAX_BYTES after base64 (413).
 */
@Injectable()
export class AttachmentPolicy {
  constructor(
    private readonly files: FilesService,
    @Inject(storageConfig.KEY) private readonly storage: ConfigType<typeof storageConfig>,
    @Inject(deliverabilityConfig.KEY) private readonly config: DeliverabilityConfig,
  ) {}

  /** @throws ProblemException 400 (not ready, type, inline without contentId), 404 (not yours), 413 (too large) */
  async resolve(
    principal: Principal,
    attachments: readonly EmailAttachmentDto[] | undefined,
  ): Promise<EmailAttachmentRef[]> {
    if (attachments === undefined || attachments.length === 0) return [];
    const refs: EmailAttachmentRef[] = [];
    for (const [index, attachment] of attachments.entries()) {
      const disposition = attachment.disposition ?? 'attachment';
      if (disposition === 'inline' && attachment.contentId === undefined)
        throw invalid(`attachments[${index}]: an inline attachment needs a contentId`);
      const file = await this.files.findOwned(attachment.fileId, principal);
      if (file.status !== 'ready') throw invalid(`attachments[${index}]: file ${file.id} is still being uploaded`);
      if (!this.storage.allowedTypes.includes(file.contentType))
        throw invalid(`attachments[${index}]: files of type ${file.contentType} cannot be attached`);
      refs.push({
        fileId: file.id,
        filename: attachment.filename ?? file.originalName.slice(0, 255),
        contentType: file.contentType,
        size: file.size,
        disposition,
        ...(attachment.contentId === undefined ? {} : { contentId: attachment.contentId }),
      });
    }
    const encoded = refs.reduce((sum, ref) => sum + base64Length(ref.size), 0);
    if (encoded > this.config.attachmentsMaxBytes)
      throw new ProblemException(
        413,
        `Attachments come to ${encoded} bytes after base64 encoding; at most ${this.config.attachmentsMaxBytes} are allowed per message`,
        {
          slug: 'attachments-too-large',
          title: 'Attachments too large',
          extensions: { limit: this.config.attachmentsMaxBytes },
        },
      );
    return refs;
  }
}

function invalid(detail: string): ProblemException {
  return new ProblemException(400, detail, { slug: 'invalid-attachment', title: 'Invalid attachment' });
}
