/** Longest original file name kept, in UTF-8 bytes (the usual file-system limit). */
export const MAX_FILE_NAME_BYTES = 255;

export type FileNameResult =
  { readonly ok: true; readonly name: string } | { readonly ok: false; readonly problem: string };

// C0 controls, DEL and C1 controls (NUL included).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Bidirectional overrides and zero-width/invisible format characters that disguise names (`gpj.exe`).
const DISGUISING = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/**
 * Normalises a user-supplied file name for storage as metadata (it is never
 * used as a path): Unicode NFC, only the last path segment (`../../a.txt` and
 * `C:\x\a.txt` become `a.txt`), surrounding whitespace trimmed. Names with
 * control characters (NUL included), direction overrides, nothing left, or
 * more than 255 UTF-8 bytes are refused.
 */
export function normalizeFileName(raw: string): FileNameResult {
  if (CONTROL.test(raw)) return { ok: false, problem: 'filename must not contain control characters' };
  if (DISGUISING.test(raw))
    return { ok: false, problem: 'filename must not contain invisible or direction-changing characters' };
  const nfc = raw.normalize('NFC');
  const base = nfc.split(/[/\\]/).pop()?.trim() ?? '';
  if (base === '' || base === '.' || base === '..') return { ok: false, problem: 'filename must name a file' };
  if (Buffer.byteLength(base, 'utf8') > MAX_FILE_NAME_BYTES) {
    return { ok: false, problem: `filename must be at most ${MAX_FILE_NAME_BYTES} bytes in UTF-8` };
  }
  return { ok: true, name: base };
}

/**
 * `Content-Disposition: attachment` carrying `name` per RFC 6266: an ASCII
 * `filename` fallback for old clients and the exact name in `filename*`
 * (RFC 8187 UTF-8 percent-encoding).
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
