import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { storageConfig } from '../storage.config';
import { uuidv7 } from '../../../core/database/ids';
import { ProblemException } from '../../../core/errors';
import { ownerIdOf } from '../../../core/security/principal';
import { SNIFF_BYTES, normalizeContentType, sniffMatches } from '../content-types';
import { objectKeyFor } from '../object-keys';
import { InjectStorageDriver, type StorageDriver } from '../storage-driver';
import { acceptedContentType, acceptedFileName, acceptedLifetime, toFileView, toUrlView } from './file-rules';
import { FileEntity } from './file.entity';
import { DEFAULT_URL_EXPIRES_SECONDS, type UploadUrlView, type UploadedFileView } from './files.dto';
import { type Caller, FilesService } from './files.service';
import { StorageQuota } from './storage-quota';
import { contentMismatch, tooLarge } from './upload-inspector';

/** After a direct-upload URL expires, the client has this long to call `complete`. */
const COMPLETE_GRACE_SECONDS = 3600;

export interface UploadUrlRequest {
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  readonly expiresIn?: number;
}

/**
 * Uploads that go straight from the client to storage: a presigned PUT bound
 * to type, size and "create only", a `complete` that verifies what arrived,
 * and a sweep of uploads never confirmed.
 */
@Injectable()
export class DirectUploadsService {
  private readonly logger = new Logger(DirectUploadsService.name);

  constructor(
    @InjectRepository(FileEntity) private readonly files: Repository<FileEntity>,
    @InjectStorageDriver() private readonly driver: StorageDriver,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
    private readonly filesService: FilesService,
    private readonly quota: StorageQuota,
  ) {}

  /** `POST /files/upload-url`: a pending row and its presigned PUT. */
  async createUploadUrl(input: UploadUrlRequest, caller: Caller): Promise<UploadUrlView> {
    const filename = acceptedFileName(input.filename);
    const contentType = acceptedContentType(input.contentType, this.config.allowedTypes);
    if (input.size > this.config.maxUploadBytes) throw tooLarge(this.config.maxUploadBytes);
    // The pending row reserves its declared size against the owner's quota.
    await this.quota.remaining(ownerIdOf(caller.principal), input.size);
    const expiresIn = acceptedLifetime(
      input.expiresIn ?? DEFAULT_URL_EXPIRES_SECONDS,
      this.config.urlMaxExpiresSeconds,
    );
    const owner = ownerIdOf(caller.principal);
    const key = objectKeyFor(owner, contentType);
    const upload = await this.driver.createUploadUrl({
      key,
      contentType,
      size: input.size,
      expiresInSeconds: expiresIn,
    });
    const row = await this.files.save(
      this.files.create({
        id: uuidv7(),
        ownerId: owner,
        key,
        originalName: filename,
        contentType,
        size: input.size,
        sha256: null,
        status: 'pending',
        uploadExpiresAt: new Date(upload.expiresAt.getTime() + COMPLETE_GRACE_SECONDS * 1000),
      }),
    );
    return { file: toFileView(row), upload: toUrlView(upload) };
  }

  /**
   * `POST /files/:id/complete`: checks the uploaded object (HEAD: exists,
   * exact size, type; first bytes: magic number) and marks it ready. A
   * mismatching object is deleted. Completing a ready file changes nothing.
   */
  async complete(id: string, caller: Caller): Promise<UploadedFileView> {
    const row = await this.filesService.findOwned(id, caller.principal);
    if (row.status === 'ready') return this.filesService.withUrl(row);
    if (row.uploadExpiresAt !== null && row.uploadExpiresAt.getTime() < Date.now()) {
      throw new ProblemException(410, 'The upload URL has expired and the upload was not confirmed in time', {
        slug: 'upload-expired',
        title: 'Gone',
      });
    }
    const head = await this.driver.head(row.key);
    if (head === undefined)
      throw new ProblemException(409, 'Nothing has been uploaded to the upload URL yet', {
        slug: 'upload-missing',
        title: 'Conflict',
      });
    if (head.size !== row.size) {
      await this.driver.delete(row.key);
      throw new ProblemException(
        422,
        `The uploaded object has ${head.size} bytes, not the ${row.size} declared; it was removed`,
        { slug: 'upload-size-mismatch' },
      );
    }
    const storedType = normalizeContentType(head.contentType);
    if ((storedType !== undefined && storedType !== row.contentType) || !(await this.headMatches(row))) {
      await this.driver.delete(row.key);
      throw contentMismatch(row.contentType);
    }
    row.status = 'ready';
    row.uploadExpiresAt = null;
    return this.filesService.withUrl(await this.files.save(row));
  }

  /**
   * Removes direct uploads never confirmed (and streaming uploads whose
   * process died) once they have expired. Runs periodically (see
   * `UploadSweeper`); safe to run on several instances at once.
   * @returns how many were removed
   */
  async sweepExpired(now: Date = new Date(), batch = 100): Promise<number> {
    const expired = await this.files.find({
      where: { status: 'pending', uploadExpiresAt: LessThan(now) },
      order: { id: 'ASC' },
      take: batch,
    });
    let removed = 0;
    for (const row of expired) {
      try {
        await this.driver.delete(row.key);
      } catch (error) {
        this.logger.warn({ err: error, fileId: row.id }, 'Could not remove an expired upload; will try again');
        continue;
      }
      await this.files.update({ id: row.id, status: 'pending' }, { status: 'deleted', uploadExpiresAt: null });
      removed++;
    }
    return removed;
  }

  /** Whether the stored object's first bytes agree with its declared type (direct uploads never passed our inspector). */
  private async headMatches(row: FileEntity): Promise<boolean> {
    if (row.size === 0) return sniffMatches(row.contentType, Buffer.alloc(0), true);
    const stream = await this.driver.openReadStream(row.key, { start: 0, end: Math.min(row.size, SNIFF_BYTES) - 1 });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return sniffMatches(row.contentType, Buffer.concat(chunks).subarray(0, SNIFF_BYTES), row.size <= SNIFF_BYTES);
  }
}
