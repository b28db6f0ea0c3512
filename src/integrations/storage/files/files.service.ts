import type { IncomingMessage } from 'node:http';
import { type Readable, pipeline } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { storageConfig } from '../storage.config';
import { uuidv7 } from '../../../core/database/ids';
import { IntegrationError, ProblemException } from '../../../core/errors';
import { type PageRequest, keysetPage, mapPage } from '../../../core/http/pagination';
import { type Principal, ownerIdOf } from '../../../core/security/principal';
import { attachmentDisposition } from '../file-names';
import { objectKeyFor } from '../object-keys';
import { InjectStorageDriver, type SignedUrl, type StorageDriver } from '../storage-driver';
import { acceptedContentType, acceptedFileName, acceptedLifetime, notFound, toFileView, toUrlView } from './file-rules';
import { FileEntity } from './file.entity';
import {
  DEFAULT_URL_EXPIRES_SECONDS,
  type FilePageView,
  type FileView,
  type SignedUrlView,
  type UploadedFileView,
} from './files.dto';
import { type IncomingFile, receiveSingleFile } from './multipart-file';
import { StorageQuota } from './storage-quota';
import { UploadInspector, tooLarge } from './upload-inspector';

/** A streaming upload whose process died is swept after this long. */
const STREAMING_PENDING_SECONDS = 24 * 3600;
/** Room for multipart boundaries and part headers when judging a request's Content-Length. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Who asks. */
export interface Caller {
  readonly principal: Principal;
}

/**
 * Files: metadata rows in `files`, bytes behind the `StorageDriver` port.
 * Uploads stream (never held whole in memory), are checked on the way
 * (size, type by magic number, SHA-256), and become `ready` only once fully
 * stored; anything that fails is removed again. Rows are owned: callers see
 * their own, admins all, and another owner's id answers 404.
 */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    @InjectRepository(FileEntity) private readonly files: Repository<FileEntity>,
    @InjectStorageDriver() private readonly driver: StorageDriver,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
    private readonly quota: StorageQuota,
  ) {}

  /** `POST /files`: streams the multipart `file` part to storage. */
  async upload(req: IncomingMessage, caller: Caller): Promise<UploadedFileView> {
    // A declared length that cannot fit is refused before a byte is stored (the body is drained, not read into memory).
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.config.maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
      req.resume();
      throw tooLarge(this.config.maxUploadBytes);
    }
    const owner = ownerIdOf(caller.principal);
    let remaining: number | undefined;
    try {
      remaining = await this.quota.remaining(owner);
      if (remaining !== undefined && Number.isFinite(declared) && declared > remaining + MULTIPART_OVERHEAD_BYTES)
        throw this.quota.exceededWithRemaining(remaining);
    } catch (error) {
      req.resume();
      throw error;
    }
    // The quota, when tighter than the size limit, cuts the stream too (and the partial object is removed).
    const limit =
      remaining !== undefined && remaining < this.config.maxUploadBytes
        ? { maxBytes: remaining, overLimit: () => this.quota.exceededWithRemaining(remaining) }
        : { maxBytes: this.config.maxUploadBytes, overLimit: tooLarge };
    return receiveSingleFile(req, (file) => this.store(file, caller, limit));
  }

  async get(id: string, principal: Principal): Promise<FileView> {
    return toFileView(await this.findOwned(id, principal));
  }

  /** Oldest first, one page at a time (`core/http/pagination`). */
  async list(principal: Principal, request: PageRequest): Promise<FilePageView> {
    // Only stored files: pending rows are uploads in flight, abandoned or failed (their ids were given to whoever started them).
    const qb = this.files.createQueryBuilder('f').where("f.status = 'ready'");
    if (!principal.admin) qb.andWhere('f.owner_id = :ownerId', { ownerId: ownerIdOf(principal) });
    return mapPage(await keysetPage(qb, request, { list: 'files', order: 'oldest-first' }), toFileView);
  }

  async downloadUrl(id: string, caller: Caller, expiresIn = DEFAULT_URL_EXPIRES_SECONDS): Promise<SignedUrlView> {
    const row = await this.findOwned(id, caller.principal);
    if (row.status !== 'ready')
      throw new ProblemException(409, 'The file is not uploaded yet', { slug: 'file-not-ready', title: 'Conflict' });
    return toUrlView(await this.signDownload(row, acceptedLifetime(expiresIn, this.config.urlMaxExpiresSeconds)));
  }

  async remove(id: string, principal: Principal): Promise<void> {
    const row = await this.findOwned(id, principal);
    await this.driver.delete(row.key);
    row.status = 'deleted';
    row.uploadExpiresAt = null;
    await this.files.save(row);
  }

  private async store(
    file: IncomingFile,
    caller: Caller,
    limit: { readonly maxBytes: number; readonly overLimit: (maxBytes: number) => Error },
  ): Promise<UploadedFileView> {
    const filename = acceptedFileName(file.filename);
    const contentType = acceptedContentType(file.mimeType, this.config.allowedTypes);
    const owner = ownerIdOf(caller.principal);
    const row = await this.files.save(
      this.files.create({
        id: uuidv7(),
        ownerId: owner,
        key: objectKeyFor(owner, contentType),
        originalName: filename,
        contentType,
        size: 0,
        sha256: null,
        status: 'pending',
        uploadExpiresAt: new Date(Date.now() + STREAMING_PENDING_SECONDS * 1000),
      }),
    );
    const inspector = new UploadInspector(limit.maxBytes, contentType, limit.overLimit);
    // Errors of either side end up in `inspector`, which the driver reads from and reports.
    pipeline(file.stream, inspector, () => undefined);
    try {
      const { size } = await this.driver.put({ key: row.key, body: inspector, contentType });
      if (size !== inspector.size) throw new Error(`storage reported ${size} bytes, ${inspector.size} were sent`);
      row.size = size;
      row.sha256 = inspector.sha256();
      row.status = 'ready';
      row.uploadExpiresAt = null;
      return await this.withUrl(await this.files.save(row));
    } catch (error) {
      inspector.destroy();
      await this.discard(row);
      throw error instanceof ProblemException || error instanceof IntegrationError ? error : this.unexpected(error);
    }
  }

  /** Removes what a failed upload may have left; if storage is unreachable the row stays pending for the sweeper. */
  private async discard(row: FileEntity): Promise<void> {
    try {
      await this.driver.delete(row.key);
      await this.files.delete({ id: row.id });
    } catch (error) {
      this.logger.warn({ err: error, fileId: row.id }, 'Could not remove a failed upload; the sweeper will');
      await this.files.update({ id: row.id }, { uploadExpiresAt: new Date() });
    }
  }

  private unexpected(error: unknown): Error {
    // The client went away mid-upload, or busboy found the body cut off.
    if (error instanceof Error && /Unexpected end of form|aborted|premature close/i.test(error.message)) {
      return new ProblemException(400, 'The upload ended before the file was complete', { slug: 'request-aborted' });
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  /** The file's view with a download URL of the default lifetime. */
  async withUrl(row: FileEntity): Promise<UploadedFileView> {
    const url = await this.signDownload(row, DEFAULT_URL_EXPIRES_SECONDS);
    return { ...toFileView(row), url: url.url, urlExpiresAt: url.expiresAt.toISOString() };
  }

  private signDownload(row: FileEntity, expiresInSeconds: number): Promise<SignedUrl> {
    return this.driver.getDownloadUrl({
      key: row.key,
      expiresInSeconds,
      contentType: row.contentType,
      contentDisposition: attachmentDisposition(row.originalName),
    });
  }

  /**
   * A ready file's row and its bytes as a stream, whoever owns it: for work
   * whose caller's right to the file was checked earlier (an email's
   * attachment, read when the message is sent). Undefined when it is gone.
   */
  async openReady(id: string): Promise<{ row: FileEntity; stream: Readable } | undefined> {
    const row = await this.files.findOne({ where: { id, status: 'ready' } });
    if (row === null) return undefined;
    return { row, stream: await this.driver.openReadStream(row.key) };
  }

  /** The caller's file (any owner's for admins) that is pending or ready; 404 otherwise. */
  async findOwned(id: string, principal: Principal): Promise<FileEntity> {
    const row = await this.files.findOne({ where: { id, status: In(['pending', 'ready']) } });
    if (row === null || (!principal.admin && row.ownerId !== ownerIdOf(principal))) {
      throw notFound();
    }
    return row;
  }
}
