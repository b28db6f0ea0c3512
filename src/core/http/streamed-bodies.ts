import type { IncomingMessage } from 'node:http';

/**
 * Paths whose handlers read the request body themselves, as a stream (the
 * local storage driver's signed uploads). A signed upload of a JSON file must
 * reach its handler unread, so the JSON and form parsers skip these paths.
 */
export const STREAMED_BODY_PATH_PREFIXES: readonly string[] = ['/storage/local/'];

export function isStreamedBodyPath(url: string | undefined): boolean {
  return url !== undefined && STREAMED_BODY_PATH_PREFIXES.some((prefix) => url.startsWith(prefix));
}

/** A body-parser `type` test: `mediaType` requests, except on streamed-body paths. */
export function parsedUnlessStreamed(mediaType: string): (req: IncomingMessage) => boolean {
  return (req) => {
    if (isStreamedBodyPath(req.url)) return false;
    const essence = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    return essence === mediaType;
  };
}
