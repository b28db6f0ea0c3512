/** How many leading bytes `sniffMatches` looks at. */
export const SNIFF_BYTES = 4096;

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'application/json': 'json',
  'application/zip': 'zip',
  'application/octet-stream': 'bin',
};

/** `Text/Plain; charset=utf-8` → `text/plain`; `undefined` when it is not a type/subtype. */
export function normalizeContentType(raw: string | undefined): string | undefined {
  const essence = raw?.split(';')[0]?.trim().toLowerCase();
  return essence !== undefined && /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(essence)
    ? essence
    : undefined;
}

/** File extension used in object keys; `bin` for types without a known one. */
export function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType] ?? 'bin';
}

type Signature = (bytes: Buffer) => boolean;

const startsWith =
  (...prefix: number[]): Signature =>
  (bytes) =>
    bytes.length >= prefix.length && prefix.every((value, i) => bytes[i] === value);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** Magic numbers of the binary formats we accept. */
const SIGNATURES: Readonly<Record<string, Signature>> = {
  'image/png': startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
  'image/jpeg': startsWith(0xff, 0xd8, 0xff),
  'image/gif': (b) => startsWith(...ascii('GIF87a'))(b) || startsWith(...ascii('GIF89a'))(b),
  'image/webp': (b) =>
    startsWith(...ascii('RIFF'))(b) && b.length >= 12 && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': startsWith(...ascii('%PDF-')),
  // Local file header, empty archive, spanned archive.
  'application/zip': (b) =>
    startsWith(0x50, 0x4b, 0x03, 0x04)(b) ||
    startsWith(0x50, 0x4b, 0x05, 0x06)(b) ||
    startsWith(0x50, 0x4b, 0x07, 0x08)(b),
};

/** Valid UTF-8 text without NUL or other binary control bytes (a sequence cut at the window's end is fine). */
function looksLikeText(bytes: Buffer, complete: boolean): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(complete ? bytes : trimPartialUtf8(bytes));
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f]/.test(text);
}

/** Drops an incomplete UTF-8 sequence at the end of a window cut mid-character. */
function trimPartialUtf8(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}

function knownBinaryType(bytes: Buffer): string | undefined {
  return Object.entries(SIGNATURES).find(([, matches]) => matches(bytes))?.[0];
}

/**
 * Whether the first bytes of a file agree with its declared content type.
 * Binary formats must carry their magic number; text types must be UTF-8
 * text (JSON must also start like JSON); `application/octet-stream` takes
 * anything; other types (added by operators) take anything that is not
 * recognisably one of the binary formats above.
 *
 * @param head the first bytes (up to `SNIFF_BYTES`)
 * @param complete true when `head` is the whole file
 */
export function sniffMatches(contentType: string, head: Buffer, complete: boolean): boolean {
  const signature = SIGNATURES[contentType];
  if (signature) return signature(head);
  if (contentType === 'application/octet-stream') return true;
  if (contentType.startsWith('text/') || contentType === 'application/json') {
    if (!looksLikeText(head, complete)) return false;
    if (contentType !== 'application/json') return true;
    const first = head
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .trimStart()[0];
    return first !== undefined && '{["-0123456789tfn'.includes(first);
  }
  return knownBinaryType(head) === undefined;
}
