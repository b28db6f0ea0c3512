import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ProblemException } from '../../../core/errors';
import { SNIFF_BYTES, sniffMatches } from '../content-types';
import { STREAM_BUFFER_BYTES } from './multipart-file';

/** The upload is larger than allowed (413). */
export function tooLarge(maxBytes: number): ProblemException {
  return new ProblemException(413, `The file is larger than the ${maxBytes} bytes allowed`, {
    slug: 'file-too-large',
    title: 'Payload Too Large',
    extensions: { maxBytes },
  });
}

/** The bytes are not what the declared content type says (415). */
export function contentMismatch(contentType: string): ProblemException {
  return new ProblemException(415, `The file's content does not match its declared type ${contentType}`, {
    slug: 'content-type-mismatch',
    title: 'Unsupported Media Type',
  });
}

/**
 * Passes an upload through while checking it: counts bytes (failing with
 * 413 past `maxBytes`), hashes them (SHA-256) and holds back the first
 * `SNIFF_BYTES` until their magic number agrees with the declared type
 * (415 otherwise), so a refused file never reaches storage. Memory: one
 * sniff window plus the stream's own buffers.
 */
export class UploadInspector extends Transform {
  private readonly hash = createHash('sha256');
  private head: Buffer[] = [];
  private headBytes = 0;
  private sniffed = false;
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly contentType: string,
    /** The error past `maxBytes`: 413 by default, a quota refusal when the owner's quota is the tighter bound. */
    private readonly overLimit: (maxBytes: number) => Error = tooLarge,
  ) {
    super({ highWaterMark: STREAM_BUFFER_BYTES });
  }

  /** Bytes seen so far (all of them once the stream has ended). */
  get size(): number {
    return this.total;
  }

  /** Hex SHA-256 of everything passed through; call once, after the stream ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length;
    if (this.total > this.maxBytes) {
      callback(this.overLimit(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    if (this.sniffed) {
      callback(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    callback(this.headBytes >= SNIFF_BYTES ? this.releaseHead(false) : undefined);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.sniffed ? undefined : this.releaseHead(true));
  }

  private releaseHead(complete: boolean): Error | undefined {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.sniffed = true;
    if (!sniffMatches(this.contentType, head.subarray(0, SNIFF_BYTES), complete))
      return contentMismatch(this.contentType);
    if (head.length > 0) this.push(head);
    return undefined;
  }
}
