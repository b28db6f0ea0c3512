import { ProblemException } from '../../../core/errors';
import { normalizeContentType } from '../content-types';
import { normalizeFileName } from '../file-names';
import type { SignedUrl } from '../storage-driver';
import type { FileEntity } from './file.entity';
import type { FileView, SignedUrlView } from './files.dto';

/** A user-supplied file name as stored metadata, or 400. */
export function acceptedFileName(raw: string): string {
  const result = normalizeFileName(raw);
  if (!result.ok) throw new ProblemException(400, result.problem, { slug: 'invalid-filename', title: 'Bad Request' });
  return result.name;
}

/** The declared content type, normalised, if it is allowed; otherwise 415. */
export function acceptedContentType(raw: string, allowed: readonly string[]): string {
  const type = normalizeContentType(raw);
  if (type === undefined || !allowed.includes(type)) {
    throw new ProblemException(415, `Content type ${type ?? raw} is not accepted; allowed: ${allowed.join(', ')}`, {
      slug: 'unsupported-file-type',
      title: 'Unsupported Media Type',
      extensions: { allowed },
    });
  }
  return type;
}

/** A URL lifetime within STORAGE_URL_MAX_EXPIRES_SECONDS, or 400. */
export function acceptedLifetime(expiresIn: number, maxSeconds: number): number {
  if (expiresIn > maxSeconds) {
    throw new ProblemException(400, `expiresIn must be at most ${maxSeconds} seconds`, {
      slug: 'validation',
      title: 'Invalid request',
    });
  }
  return expiresIn;
}

export function notFound(): ProblemException {
  return new ProblemException(404, 'No such file', { slug: 'not-found', title: 'Not Found' });
}

export function toFileView(row: FileEntity): FileView {
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

export function toUrlView(url: SignedUrl): SignedUrlView {
  return { url: url.url, method: url.method, headers: { ...url.headers }, expiresAt: url.expiresAt.toISOString() };
}
