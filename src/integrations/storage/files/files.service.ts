import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, MoreThan, type FindOptionsWhere, type Repository } from 'typeorm';
import { storageConfig } from '../../../config/storage.config';
import { uuidv7 } from '../../../core/database/ids';
import { IntegrationError, ProblemException } from '../../../core/errors';
import { type Principal, ownerIdOf } from '../../../core/security/principal';
import { SNIFF_BYTES, normalizeContentType, sniffMatches } from '../content-types';
import { attachmentDisposition, normalizeFileName } from '../file-names';
import { objectKeyFor } from '../object-keys';
import { InjectStorageDriver, type SignedUrl, type StorageDriver } from '../storage-driver';
import { FileEntity } from './file.entity';
import { DEFAULT_URL_EXPIRES_SECONDS, type FilePageView, type FileView, type SignedUrlView, type UploadUrlView, type UploadedFileView } from './files.dto';
import { type IncomingFile, receiveSingleFile } from './multipart-file';
import { UploadInspector, contentMismatch, tooLarge } from './upload-inspector';

/** A streaming upload whose process died is swept after this long. */
const STREAMING_PENDING_SECONDS = 24 * 3600;
/** Room for multipart boundaries and part headers when judging a request's Content-Length. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
/** After a direct-upload URL expires, the client has this long to call `complete`. */
const COMPLETE_GRACE_SECONDS = 3600;

/** Who asks and from where (the origin lets the local driver build URLs on the caller's host). */
export interface Caller {
  readonly principal: Principal;
  readonly origin?: string;
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
  ) {}

  /** `POST /files`: streams the multipart `file` part to storage. */
  async upload(req: IncomingMessage, caller: Caller): Promise<UploadedFileView> {
    // A declared length that cannot fit is refused before a byte is stored (the body is drained, not read into memory).
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.config.maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
      req.resume();
      throw tooLarge(this.config.maxUploadBytes);
    }
    return receiveSingleFile(req, (file) => this.store(file, caller));
  }

  async get(id: string, principal: Principal): Promise<FileView> {
    return toView(await this.findOwned(id, principal));
  }

  async list(principal: Principal, cursor: string | undefined, limit = 20): Promise<FilePageView> {
    // Only stored files: pending rows are uploads in flight, abandoned or failed (their ids were given to whoever started them).
    const where: FindOptionsWhere<FileEntity> = { status: 'ready' };
    if (!principal.admin) where.ownerId = ownerIdOf(principal);
    if (cursor !== undefined) where.id = MoreThan(cursor);
    const rows = await this.files.find({ where, order: { id: 'ASC' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    return { items: page.map(toView), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  async downloadUrl(id: string, caller: Caller, expiresIn = DEFAULT_URL_EXPIRES_SECONDS): Promise<SignedUrlView> {
    const row = await this.findOwned(id, caller.principal);
    if (row.status !== 'ready') throw new ProblemException(409, 'The file is not uploaded yet', { slug: 'file-not-ready', title: 'Conflict' });
    return toUrlView(await this.signDownload(row, caller.origin, this.checkExpiry(expiresIn)));
  }

  /** `POST /files/upload-url`: a pending row and a presigned PUT bound to the type and size. */
  async createUploadUrl(input: { filename: string; contentType: string; size: number; expiresIn?: number }, caller: Caller): Promise<UploadUrlView> {
    const filename = this.checkName(input.filename);
    const contentType = this.checkType(input.contentType);
    if (input.size > this.config.maxUploadBytes) throw tooLarge(this.config.maxUploadBytes);
    const expiresIn = this.checkExpiry(input.expiresIn ?? DEFAULT_URL_EXPIRES_SECONDS);
    const owner = ownerIdOf(caller.principal);
    const key = objectKeyFor(owner, contentType);
    const upload = await this.driver.createUploadUrl({ key, contentType, size: input.size, expiresInSeconds: expiresIn, origin: caller.origin });
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
    return { file: toView(row), upload: toUrlView(upload) };
  }

  /**
   * `POST /files/:id/complete`: checks the directly uploaded object (HEAD:
   * exists, exact size, type; first bytes: magic number) and marks it ready.
   * A mismatching object is deleted. Completing a ready file is a no-op.
   */
  async complete(id: string, caller: Caller): Promise<UploadedFileView> {
    const row = await this.findOwned(id, caller.principal);
    if (row.status === 'ready') return this.withUrl(row, caller.origin);
    if (row.uploadExpiresAt !== null && row.uploadExpiresAt.getTime() < Date.now()) {
      throw new ProblemException(410, 'The upload URL has expired and the upload was not confirmed in time', { slug: 'upload-expired', title: 'Gone' });
    }
    const head = await this.driver.head(row.key);
    if (head === undefined) throw new ProblemException(409, 'Nothing has been uploaded to the upload URL yet', { slug: 'upload-missing', title: 'Conflict' });
    if (head.size !== row.size) {
      await this.driver.delete(row.key);
      throw new ProblemException(422, `The uploaded object has ${head.size} bytes, not the ${row.size} declared; it was removed`, { slug: 'upload-size-mismatch' });
    }
    const storedType = normalizeContentType(head.contentType);
    if ((storedType !== undefined && storedType !== row.contentType) || !(await this.headMatches(row))) {
      await this.driver.delete(row.key);
      throw contentMismatch(row.contentType);
    }
    row.status = 'ready';
    row.uploadExpiresAt = null;
    return this.withUrl(await this.files.save(row), caller.origin);
  }

  async remove(id: string, principal: Principal): Promise<void> {
    const row = await this.findOwned(id, principal);
    await this.driver.delete(row.key);
    row.status = 'deleted';
    row.uploadExpiresAt = null;
    await this.files.save(row);
  }

  /**
   * Removes direct uploads never confirmed (and streaming uploads whose
   * process died) once they have expired. Runs periodically (see
   * `UploadSweeper`); safe to run on several instances at once.
   * @returns how many were removed
   */
  async sweepExpired(now: Date = new Date(), batch = 100): Promise<number> {
    const expired = await this.files.find({ where: { status: 'pending', uploadExpiresAt: LessThan(now) }, order: { id: 'ASC' }, take: batch });
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

  private async store(file: IncomingFile, caller: Caller): Promise<UploadedFileView> {
    const filename = this.checkName(file.filename);
    const contentType = this.checkType(file.mimeType);
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
    const inspector = new UploadInspector(this.config.maxUploadBytes, contentType);
    // Errors of either side end up in `inspector`, which the driver reads from and reports.
    pipeline(file.stream, inspector, () => undefined);
    try {
      const { size } = await this.driver.put({ key: row.key, body: inspector, contentType });
      if (size !== inspector.size) throw new Error(`storage reported ${size} bytes, ${inspector.size} were sent`);
      row.size = size;
      row.sha256 = inspector.sha256();
      row.status = 'ready';
      row.uploadExpiresAt = null;
      return await this.withUrl(await this.files.save(row), caller.origin);
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

  /** Whether the stored object's first bytes agree with its declared type (direct uploads never passed our inspector). */
  private async headMatches(row: FileEntity): Promise<boolean> {
    if (row.size === 0) return sniffMatches(row.contentType, Buffer.alloc(0), true);
    const stream = await this.driver.openReadStream(row.key, { start: 0, end: Math.min(row.size, SNIFF_BYTES) - 1 });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return sniffMatches(row.contentType, Buffer.concat(chunks).subarray(0, SNIFF_BYTES), row.size <= SNIFF_BYTES);
  }

  private async withUrl(row: FileEntity, origin: string | undefined): Promise<UploadedFileView> {
    const url = await this.signDownload(row, origin, DEFAULT_URL_EXPIRES_SECONDS);
    return { ...toView(row), url: url.url, urlExpiresAt: url.expiresAt.toISOString() };
  }

  private signDownload(row: FileEntity, origin: string | undefined, expiresInSeconds: number): Promise<SignedUrl> {
    return this.driver.getDownloadUrl({
      key: row.key,
      expiresInSeconds,
      contentType: row.contentType,
      contentDisposition: attachmentDisposition(row.originalName),
      origin,
    });
  }

  private async findOwned(id: string, principal: Principal): Promise<FileEntity> {
    const row = await this.files.findOne({ where: { id, status: In(['pending', 'ready']) } });
    if (row === null || (!principal.admin && row.ownerId !== ownerIdOf(principal))) {
      throw new ProblemException(404, 'No such file', { slug: 'not-found', title: 'Not Found' });
    }
    return row;
  }

  private checkName(raw: string): string {
    const result = normalizeFileName(raw);
    if (!result.ok) throw new ProblemException(400, result.problem, { slug: 'invalid-filename', title: 'Bad Request' });
    return result.name;
  }

  private checkType(raw: string): string {
    const type = normalizeContentType(raw);
    if (type === undefined || !this.config.allowedTypes.includes(type)) {
      throw new ProblemException(415, `Content type ${type ?? raw} is not accepted; allowed: ${this.config.allowedTypes.join(', ')}`, {
        slug: 'unsupported-file-type',
        title: 'Unsupported Media Type',
        extensions: { allowed: this.config.allowedTypes },
      });
    }
    return type;
  }

  private checkExpiry(expiresIn: number): number {
    if (expiresIn > this.config.urlMaxExpiresSeconds) {
      throw new ProblemException(400, `expiresIn must be at most ${this.config.urlMaxExpiresSeconds} seconds`, { slug: 'validation', title: 'Invalid request' });
    }
    return expiresIn;
  }
}

function toView(row: FileEntity): FileView {
  return {
    id: row.id,
    key: row.key,
    filename: row.originalName,
    contentType: row.contentType,
    size: row.size,
    sha256: row.sha256,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toUrlView(url: SignedUrl): SignedUrlView {
  return { url: url.url, method: url.method, headers: { ...url.headers }, expiresAt: url.expiresAt.toISOString() };
}
