import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { Server as NetServer } from 'node:net';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../../../config/app.config';
import { storageConfig } from '../storage.config';
import { isGeneratedKey } from '../object-keys';
import {
  type DownloadUrlInput,
  type ObjectHead,
  ObjectExistsError,
  type PutObjectInput,
  type PutObjectResult,
  type ReadRange,
  type SignedUrl,
  type StorageDriver,
  type UploadUrlInput,
} from '../storage-driver';
import { UrlSigner } from './url-signer';

const STALE_TEMPORARY_MS = 24 * 60 * 60 * 1000;

/** Route (under the app's origin) that serves signed local URLs; see `LocalObjectsController`. */
export const LOCAL_OBJECTS_PATH = '/storage/local/objects';

/**
 * `StorageDriver` on the local disk (the default): objects are files under
 * `DATA_DIR/files/<key>`, written through a temporary file and renamed into
 * place, so a failed upload never leaves a partial object. Download and upload
 * URLs are signed with HMAC-SHA256 (`STORAGE_URL_SECRET`) and served by the
 * app itself, expiring like S3 presigned URLs.
 */
@Injectable()
export class LocalStorageDriver implements StorageDriver, OnModuleInit {
  readonly name = 'local';
  readonly signer: UrlSigner;
  private readonly logger = new Logger(LocalStorageDriver.name);
  private readonly root: string;
  private readonly tmpDir: string;
  private readonly publicUrl: string;
  private readonly publicUrlConfigured: boolean;

  constructor(
    @Inject(storageConfig.KEY) config: ConfigType<typeof storageConfig>,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    this.root = resolve(config.localRoot);
    this.tmpDir = join(this.root, '.incoming');
    this.publicUrl = app.publicUrl;
    this.publicUrlConfigured = app.publicUrlConfigured;
    let secret = config.urlSecret;
    if (secret === undefined) {
      // Production refuses to start without it (see storage.config.ts); elsewhere, URLs die with the process.
      this.logger.warn(
        'STORAGE_URL_SECRET is not set: signed file URLs use a random per-process secret and stop working on restart',
      );
      secret = randomBytes(32).toString('hex');
    }
    this.signer = new UrlSigner(Buffer.from(secret, 'utf8'));
  }

  /** Removes temporary files a crashed process left behind (uploads in flight are younger than a day). */
  async onModuleInit(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    await this.removeStaleTemporaries(Date.now() - STALE_TEMPORARY_MS);
  }

  async removeStaleTemporaries(before: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.tmpDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && info.mtimeMs < before) {
        await rm(path, { force: true });
        removed++;
      }
    }
    if (removed > 0) this.logger.log(`Removed ${removed} temporary file(s) of interrupted uploads`);
    return removed;
  }

  async put(input: PutObjectInput): Promise<PutObjectResult> {
    const target = this.pathOf(input.key);
    // No await before the pipeline: it must own the body's errors from the first moment.
    const temporary = join(this.tmpDir, `${randomUUID()}.part`);
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(input.body, counter, createWriteStream(temporary, { flags: 'wx' }));
      await mkdir(dirname(target), { recursive: true });
      if (input.ifAbsent) {
        // link() fails with EEXIST when the target exists: an atomic "create, never replace".
        await link(temporary, target);
        await rm(temporary, { force: true });
      } else {
        await rename(temporary, target);
      }
      return { size };
    } catch (error) {
      await rm(temporary, { force: true });
      if (isAlreadyThere(error)) throw new ObjectExistsError(input.key);
      throw input.body.errored ?? error;
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { size: info.size } : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  getDownloadUrl(input: DownloadUrlInput): Promise<SignedUrl> {
    const grant = this.signer.grant({
      method: 'GET',
      key: input.key,
      expiresInSeconds: input.expiresInSeconds,
      contentType: input.contentType,
      size: 0,
      disposition: input.contentDisposition,
    });
    return Promise.resolve({
      url: this.urlFor(this.signer.toQuery(grant)),
      method: 'GET',
      headers: {},
      expiresAt: new Date(grant.expires * 1000),
    });
  }

  createUploadUrl(input: UploadUrlInput): Promise<SignedUrl> {
    const grant = this.signer.grant({
      method: 'PUT',
      key: input.key,
      expiresInSeconds: input.expiresInSeconds,
      contentType: input.contentType,
      size: input.size,
      disposition: '',
    });
    return Promise.resolve({
      url: this.urlFor(this.signer.toQuery(grant)),
      method: 'PUT',
      // Same headers as an S3 presigned PUT; uploads through local URLs never replace an object either way.
      headers: { 'Content-Type': input.contentType, 'Content-Length': String(input.size), 'If-None-Match': '*' },
      expiresAt: new Date(grant.expires * 1000),
    });
  }

  async openReadStream(key: string, range?: ReadRange): Promise<Readable> {
    const path = this.pathOf(key);
    await stat(path); // a missing file fails here, not later inside the stream
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  /**
   * The file of a key. Keys are generated by the server; anything else
   * (or anything resolving outside the root) is refused, so no caller-supplied
   * string can become a path.
   */
  pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!isGeneratedKey(key) || !path.startsWith(this.root + sep)) throw new RangeError('Not a storage key');
    return path;
  }

  /** On PUBLIC_URL: a client's Host header must never decide where a signed link points. */
  private urlFor(query: URLSearchParams): string {
    return `${this.baseUrl()}${LOCAL_OBJECTS_PATH}?${query.toString()}`;
  }

  /** PUBLIC_URL; without it (development only: production requires it) the address this process listens on. */
  private baseUrl(): string {
    if (this.publicUrlConfigured) return this.publicUrl;
    const server: unknown = this.adapterHost?.httpAdapter?.getHttpServer();
    const address = server instanceof NetServer ? server.address() : null;
    if (address === null || typeof address !== 'object') return this.publicUrl;
    const wildcard = address.address === '0.0.0.0' || address.address === '::';
    const host = wildcard ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }
}

function isAlreadyThere(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EEXIST';
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
