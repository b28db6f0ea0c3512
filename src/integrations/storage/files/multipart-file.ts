import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { ProblemException } from '../../../core/errors';

/** The one file part of a `multipart/form-data` request, still streaming. */
export interface IncomingFile {
  readonly field: string;
  readonly stream: Readable;
  /** As sent by the client (busboy keeps only the last path segment). */
  readonly filename: string;
  /** The part's declared Content-Type. */
  readonly mimeType: string;
}

/**
 * Buffer of the parser and the file stream. The 16 KiB default pauses the
 * socket for every 64 KiB read; 1 MiB keeps uploads flowing at a bounded cost.
 */
export const STREAM_BUFFER_BYTES = 1024 * 1024;

/** The multipart field that carries the file. */
export const FILE_FIELD = 'file';

/**
 * Streams the `file` part of a multipart request into `handle` (busboy; the
 * file is never buffered whole). Other fields and further files are skipped.
 * When `handle` fails, the rest of the request is read and discarded so the
 * client receives the error response instead of a reset connection.
 */
export function receiveSingleFile<T>(req: IncomingMessage, handle: (file: IncomingFile) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // Browsers send file names as raw UTF-8 (busboy's default would read them as latin1).
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        highWaterMark: STREAM_BUFFER_BYTES,
        fileHwm: STREAM_BUFFER_BYTES,
        limits: { files: 1, fields: 20, fieldSize: 8 * 1024, parts: 32, headerPairs: 50 },
      });
    } catch {
      req.resume();
      reject(
        new ProblemException(415, 'The request must be multipart/form-data with a boundary', {
          slug: 'multipart-required',
          title: 'Unsupported Media Type',
        }),
      );
      return;
    }
    let handled: Promise<T> | undefined;
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    parser.on('file', (field, stream, info) => {
      if (handled !== undefined || field !== FILE_FIELD) {
        stream.resume();
        return;
      }
      handled = handle({ field, stream, filename: info.filename ?? '', mimeType: info.mimeType });
      handled.then(
        (result) => {
          if (settled) return;
          settled = true;
          resolve(result);
        },
        (error: unknown) => {
          stream.resume();
          fail(error);
        },
      );
    });
    parser.on('close', () => {
      if (handled === undefined)
        fail(
          new ProblemException(400, `The form must contain a file in the "${FILE_FIELD}" field`, {
            slug: 'file-missing',
          }),
        );
    });
    parser.on('error', () =>
      fail(
        new ProblemException(400, 'The multipart body is malformed or was cut off', { slug: 'malformed-multipart' }),
      ),
    );
    req.on('aborted', () =>
      fail(new ProblemException(400, 'The upload was aborted by the client', { slug: 'request-aborted' })),
    );
    req.pipe(parser);
  });
}
