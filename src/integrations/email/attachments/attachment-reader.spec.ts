import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { base64Length } from './attachment-policy';
import type { ConfigType } from '@nestjs/config';
import type { emailConfig } from '../../../config/email.config';
import type { FilesService } from '../../storage/files/files.service';
import type { EmailMessage } from '../entities/email-message.entity';
import { AttachmentReader, AttachmentTurnTooLate, base64Of } from './attachment-reader';

describe(base64Of.name, () => {
  it.each([0, 1, 2, 3, 4, 5, 1000, 65_537])(
    'encodes %i bytes arriving in odd-sized chunks exactly as a whole',
    async (size) => {
      const bytes = randomBytes(size);
      const chunks = [];
      for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
      const encoded = await base64Of(Readable.from(chunks));
      expect(encoded).toBe(bytes.toString('base64'));
      expect(encoded.length).toBe(base64Length(size));
    },
  );
});

describe(AttachmentReader.name, () => {
  const bytes = randomBytes(10);
  const files = {
    openReady: jest.fn(() => Promise.resolve({ row: {}, stream: Readable.from([bytes]) })),
  } as unknown as FilesService;
  const sut = new AttachmentReader(files, { leaseMs: 60_000 } as ConfigType<typeof emailConfig>);
  const row = (lockedUntil: Date | null): EmailMessage =>
    ({
      id: 'm1',
      lockedUntil,
      attachments: [
        {
          fileId: 'f1',
          filename: 'a.bin',
          contentType: 'application/octet-stream',
          size: 10,
          disposition: 'attachment',
        },
      ],
    }) as EmailMessage;

  it('hands the send its attachments, base64-encoded', async () => {
    const send = jest.fn((attachments: unknown[]) => Promise.resolve(attachments));
    await expect(sut.withContent(row(new Date(Date.now() + 60_000)), send)).resolves.toEqual([
      {
        content: bytes.toString('base64'),
        filename: 'a.bin',
        type: 'application/octet-stream',
        disposition: 'attachment',
      },
    ]);
  });

  it('does not send once less than half the lease is left (another worker may claim it meanwhile)', async () => {
    const send = jest.fn(() => Promise.resolve('sent'));
    await expect(sut.withContent(row(new Date(Date.now() + 20_000)), send)).rejects.toBeInstanceOf(
      AttachmentTurnTooLate,
    );
    expect(send).not.toHaveBeenCalled();
    // The next message is not held up by the refusal.
    await expect(sut.withContent(row(new Date(Date.now() + 60_000)), send)).resolves.toBe('sent');
  });
});
