import { Inject } from '@nestjs/common';
import type { Readable } from 'node:stream';

/** What to store: the bytes come from `body`, which the driver consumes exactly once. */
export interface PutObjectInput {
  readonly key: string;
  readonly body: Readable;
  readonly contentType: string;
  /** Refuse (ObjectExistsError) instead of replacing an existing object. */
  readonly ifAbsent?: boolean;
}

/** `put` with `ifAbsent` found an object already stored under the key. */
export class ObjectExistsError extends Error {
  constructor(readonly key: string) {
    super('An object is already stored under this key');
    this.name = 'ObjectExistsError';
  }
}

export interface PutObjectResult {
  /** Bytes stored. */
  readonly size: number;
}

export interface ObjectHead {
  readonly size: number;
  /** As stored by the backend; the local driver does not record it. */
  readonly contentType?: string;
}

export interface DownloadUrlInput {
  readonly key: string;
  readonly expiresInSeconds: number;
  /** Served as the response's Content-Type. */
  readonly contentType: string;
  /** Served as the response's Content-Disposition (RFC 6266, already encoded). */
  readonly contentDisposition: string;
}

export interface UploadUrlInput {
  readonly key: string;
  readonly expiresInSeconds: number;
  /** The upload must declare exactly this Content-Type. */
  readonly contentType: string;
  /** The upload must be exactly this many bytes. */
  readonly size: number;
}

export interface SignedUrl {
  readonly url: string;
  readonly method: 'GET' | 'PUT';
  readonly expiresAt: Date;
  /** Headers the client must send with the request (presigned PUT). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReadRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

/**
 * Where file bytes live. The files service depends on this port only;
 * `S3StorageDriver` and `LocalStorageDriver` implement it. Drivers throw
 * `IntegrationError`s (503 when the backend is unreachable) and clean up
 * their own partial writes when `put` fails.
 */
export interface StorageDriver {
  /** `s3` or `local`: shown in health and logs. */
  readonly name: string;

  /**
   * Streams `body` to `key`. Memory stays bounded whatever the size.
   * @throws the error `body` was destroyed with (e.g. a size limit), or an `IntegrationError`.
   */
  put(input: PutObjectInput): Promise<PutObjectResult>;

  /** Size (and type) of a stored object; `undefined` when there is none. */
  head(key: string): Promise<ObjectHead | undefined>;

  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;

  /** A URL anyone holding it may GET until it expires. */
  getDownloadUrl(input: DownloadUrlInput): Promise<SignedUrl>;

  /**
   * A URL to PUT exactly `size` bytes of `contentType` to `key` until it
   * expires; it creates the object but never replaces one (`If-None-Match: *`),
   * so a confirmed file cannot be swapped through a still-valid URL.
   */
  createUploadUrl(input: UploadUrlInput): Promise<SignedUrl>;

  /** The object's bytes (or a byte range of them). */
  openReadStream(key: string, range?: ReadRange): Promise<Readable>;
}

export const StorageDriver = Symbol('StorageDriver');

/** Injects the configured `StorageDriver`. */
export const InjectStorageDriver = (): ParameterDecorator => Inject(StorageDriver);
