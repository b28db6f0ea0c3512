import { Transform, type Readable, pipeline } from 'node:stream';
import { Inject, Injectable, Optional, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { storageConfig } from '../storage.config';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';
import type {
  DownloadUrlInput,
  ObjectHead,
  PutObjectInput,
  PutObjectResult,
  ReadRange,
  SignedUrl,
  StorageDriver,
  UploadUrlInput,
} from '../storage-driver';
import { isS3NotFound, toS3IntegrationError } from './s3-errors';
import { currentCallSignal } from '../../../core/resilience/call-context';
import { ResiliencePolicyRegistry } from '../../../core/resilience/policy-registry';

const MAX_PARTS = 10_000;

/** The presigner leaves Content-Type unsigned by default; signing it binds a presigned PUT to the declared type. */
const SIGNED_HEADERS = new Set(['content-type']);

/**
 * `StorageDriver` on S3 and S3-compatible servers (MinIO, R2, s3rver).
 * Uploads stream through `@aws-sdk/lib-storage` (multipart above `partSize`,
 * at most `queueSize` parts in flight plus the part being filled, so memory
 * stays near partSize × (queueSize + 1));
 * presigned URLs come from the SDK's presigner.
 * SDK retries are off (`maxAttempts: 1`): `@Resilient('s3')` is the one
 * retry layer. Every SDK failure leaves as an `IntegrationError`.
 * Cancellation: each command gets the attempt's signal (`abortSignal`), and
 * a timed-out upload is stopped with `Upload.abort()`. The upload's timeout
 * is the `upload` operation's (`S3_UPLOAD_TIMEOUT_MS`), the rest follow the
 * `s3` policy (`RESILIENCE_S3_TIMEOUT_MS`).
 */
@Injectable()
export class S3StorageDriver implements StorageDriver, OnModuleDestroy {
  readonly name = 's3';
  private readonly logger = new Logger(S3StorageDriver.name);
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private lastFailure: { at: Date; problem: string } | undefined;

  constructor(
    @Inject(storageConfig.KEY) config: ConfigType<typeof storageConfig>,
    @Optional() resilience?: ResiliencePolicyRegistry,
  ) {
    const s3 = config.s3;
    // A streaming upload lasts as long as the client keeps sending: it gets a timeout of its own, from our config.
    resilience?.configure('s3', { operations: { upload: { timeoutMs: s3.uploadTimeoutMs, maxAttempts: 1 } } });
    this.bucket = s3.bucket ?? '';
    // S3 allows 10,000 parts: a stream of unknown length needs parts large enough for the largest upload we accept.
    this.partSize = Math.max(s3.partSizeBytes, Math.ceil(config.maxUploadBytes / MAX_PARTS));
    this.queueSize = s3.queueSize;
    this.client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: s3.forcePathStyle,
      credentials:
        s3.accessKeyId && s3.secretAccessKey
          ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
          : undefined,
      maxAttempts: 1,
      // CRC32 trailers by default (client-s3 ≥ 3.729) break presigned PUTs from plain HTTP clients and many S3-compatible servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Fail fast when the server is unreachable instead of hanging on connect.
      requestHandler: { connectionTimeout: 5_000 },
    });
  }

  /** Part size and parts in flight: one upload holds about partSize × (queueSize + 1) (parts in flight and the part being filled). */
  uploadWindow(): { partSize: number; queueSize: number } {
    return { partSize: this.partSize, queueSize: this.queueSize };
  }

  /** For the health registry: the last call that failed because S3 was unreachable, cleared by the next success. */
  recentFailure(): { at: Date; problem: string } | undefined {
    return this.lastFailure;
  }

  /**
   * Streams `input.body` to S3.
   * @throws the error the body failed with (size limit, content check, client gone), or an `IntegrationError`.
   */
  async put(input: PutObjectInput): Promise<PutObjectResult> {
    const outcome = await this.upload(input);
    if (!outcome.stored) throw outcome.sourceError;
    return { size: outcome.size };
  }

  /**
   * The S3 side of `put`, under the s3 policy. A body that fails on its own is
   * not S3's fault: the upload is aborted and the call *resolves* with the
   * body's error, so the breaker and the failure metrics only ever see S3's
   * own failures. Never retried: a consumed stream cannot be replayed.
   */
  @Resilient('s3', { idempotent: false, maxAttempts: 1 })
  @Monitored('s3', 'upload')
  async upload(input: PutObjectInput): Promise<UploadOutcome> {
    let size = 0;
    const counted = pipeline(
      input.body,
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          callback(null, chunk);
        },
      }),
      () => undefined,
    );
    // We abort ourselves so the error reported is the one that stopped the upload, not the abort's.
    const abortController = new AbortController();
    const upload = new Upload({
      client: withAbortSignal(this.client, abortController.signal),
      abortController,
      params: {
        Bucket: this.bucket,
        Key: input.key,
        Body: counted,
        ContentType: input.contentType,
        IfNoneMatch: input.ifAbsent ? '*' : undefined,
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: true,
    });
    // Timed out: stop sending parts (in-flight requests are aborted); the catch below aborts the multipart upload.
    const signal = currentCallSignal();
    const stop = (): void => void upload.abort().catch(() => undefined);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await upload.done();
      this.succeeded();
      return { stored: true, size };
    } catch (error) {
      // Read before the pipeline is torn down, which marks the source aborted.
      const sourceError = input.body.errored;
      signal?.removeEventListener('abort', stop);
      if (upload.uploadId !== undefined) await this.abortMultipart(input.key, upload.uploadId);
      counted.destroy();
      if (sourceError !== null && !isTeardown(sourceError)) return { stored: false, sourceError };
      throw this.failed(error, 'upload');
    }
  }

  @Resilient('s3')
  @Monitored('s3', 'headObject')
  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: currentCallSignal(),
      });
      this.succeeded();
      return { size: out.ContentLength ?? 0, contentType: out.ContentType };
    } catch (error) {
      if (isS3NotFound(error)) {
        this.succeeded();
        return undefined;
      }
      throw this.failed(error, 'headObject');
    }
  }

  @Resilient('s3')
  @Monitored('s3', 'deleteObject')
  async delete(key: string): Promise<void> {
    try {
      // S3 answers 204 for missing keys too.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: currentCallSignal(),
      });
      this.succeeded();
    } catch (error) {
      if (isS3NotFound(error)) return;
      throw this.failed(error, 'deleteObject');
    }
  }

  // Presigning is a local computation (no request to S3): no breaker, no retry.
  @Monitored('s3', 'presignGetObject')
  async getDownloadUrl(input: DownloadUrlInput): Promise<SignedUrl> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: input.key,
      ResponseContentType: input.contentType,
      ResponseContentDisposition: input.contentDisposition,
    });
    return this.presign(command, 'GET', input.expiresInSeconds, {});
  }

  @Monitored('s3', 'presignPutObject')
  async createUploadUrl(input: UploadUrlInput): Promise<SignedUrl> {
    // Content-Type, Content-Length and If-None-Match become signed headers: S3 refuses a PUT whose headers differ,
    // and with If-None-Match: * (conditional write) refuses to replace an object already there (412).
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: input.key,
      ContentType: input.contentType,
      ContentLength: input.size,
      IfNoneMatch: '*',
    });
    return this.presign(command, 'PUT', input.expiresInSeconds, {
      'Content-Type': input.contentType,
      'Content-Length': String(input.size),
      'If-None-Match': '*',
    });
  }

  @Resilient('s3')
  @Monitored('s3', 'getObject')
  async openReadStream(key: string, range?: ReadRange): Promise<Readable> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
        { abortSignal: currentCallSignal() },
      );
      this.succeeded();
      return out.Body as Readable;
    } catch (error) {
      throw this.failed(error, 'getObject');
    }
  }

  onModuleDestroy(): void {
    this.client.destroy();
  }

  private async presign(
    command: GetObjectCommand | PutObjectCommand,
    method: 'GET' | 'PUT',
    expiresIn: number,
    headers: Record<string, string>,
  ): Promise<SignedUrl> {
    const signedAt = Date.now();
    try {
      const url = await getSignedUrl(this.client, command, { expiresIn, signableHeaders: SIGNED_HEADERS });
      // SigV4 counts from X-Amz-Date, which has whole seconds.
      return { url, method, headers, expiresAt: new Date(Math.floor(signedAt / 1000) * 1000 + expiresIn * 1000) };
    } catch (error) {
      throw this.failed(error, method === 'GET' ? 'presignGetObject' : 'presignPutObject');
    }
  }

  private async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      // Parts left behind cost storage until a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes them.
      this.logger.warn({ err: error, key }, 'Could not abort a failed multipart upload');
    }
  }

  private succeeded(): void {
    this.lastFailure = undefined;
  }

  private failed(error: unknown, operation: string): Error {
    const mapped = toS3IntegrationError(error, operation);
    if (mapped.retryable) this.lastFailure = { at: new Date(), problem: mapped.message };
    return mapped;
  }
}

/** How `S3StorageDriver.upload` ended when S3 itself did not fail. */
export type UploadOutcome =
  { readonly stored: true; readonly size: number } | { readonly stored: false; readonly sourceError: Error };

/** Errors a stream gets when its consumer stops reading (lib-storage ending its iterator), not failures of its own. */
function isTeardown(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ABORT_ERR' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * `client` for lib-storage's `Upload`, every request carrying `signal`: `Upload.abort()` aborts the parts in flight of a
 * multipart upload, but sends a body smaller than one part as a single PutObject without any signal (lib-storage
 * 3.1175), so a timed-out small upload would go on sending in the background.
 */
function withAbortSignal(client: S3Client, signal: AbortSignal): S3Client {
  const send = ((command: Parameters<S3Client['send']>[0], options?: { abortSignal?: AbortSignal }) =>
    client.send(command, {
      ...options,
      abortSignal: options?.abortSignal === undefined ? signal : AbortSignal.any([options.abortSignal, signal]),
    })) as S3Client['send'];
  return new Proxy(client, {
    get: (target, property): unknown => (property === 'send' ? send : Reflect.get(target, property)),
  });
}
