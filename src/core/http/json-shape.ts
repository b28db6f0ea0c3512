/**
 * A linear pre-parse scan of a JSON body: refuses nesting deeper than the
 * limit and the keys `__proto__`, `constructor` and `prototype` before
 * `JSON.parse` (or any validation) sees the body. It skips string contents
 * with `indexOf`, so its cost is a fraction of parsing the same bytes, and
 * it stops at the first violation (a megabyte of `[` costs 33 bytes read).
 */
export type JsonShapeViolation =
  | { readonly kind: 'depth'; readonly maxDepth: number }
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'surrogate' };

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
/** Raw byte lengths a forbidden key can have unescaped (`__proto__`, `prototype`: 9; `constructor`: 11). */
const PLAIN_KEY_LENGTHS = new Set([9, 11]);
/** Longest escaped spelling of `constructor` (`\uXXXX` for each of 11 characters). */
const MAX_ESCAPED_KEY_BYTES = 66;

/** The first violation in `body`, or undefined when its shape is acceptable (it may still be invalid JSON). */
export function findJsonShapeViolation(body: Buffer, maxDepth: number): JsonShapeViolation | undefined {
  let depth = 0;
  const length = body.length;
  for (let i = 0; i < length; i++) {
    const byte = body[i];
    if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return { kind: 'depth', maxDepth };
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    } else if (byte === QUOTE) {
      const end = closingQuote(body, i + 1);
      if (end < 0) return undefined; // unterminated: JSON.parse reports it
      const key = forbiddenKey(body, i + 1, end);
      if (key !== undefined) return { kind: 'key', key };
      i = end;
    }
  }
  return hasLoneSurrogateEscape(body) ? { kind: 'surrogate' } : undefined;
}

const ESCAPE_U = Buffer.from('\\u');

/**
 * True when a `\uD800`–`\uDFFF` escape is not part of a pair. JSON.parse
 * accepts such strings, but they are not Unicode text: URL and form
 * encoders (Stripe's SDK) throw on them. Only bodies with `\u` pay for this.
 */
function hasLoneSurrogateEscape(body: Buffer): boolean {
  let at = body.indexOf(ESCAPE_U);
  while (at >= 0) {
    let backslashes = 0;
    for (let j = at - 1; j >= 0 && body[j] === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) {
      const unit = hexAt(body, at + 2);
      if (unit >= 0xdc00 && unit <= 0xdfff) return true;
      if (unit >= 0xd800 && unit <= 0xdbff) {
        const low = body.indexOf(ESCAPE_U, at + 6) === at + 6 ? hexAt(body, at + 8) : -1;
        if (low < 0xdc00 || low > 0xdfff) return true;
        at += 6;
      }
    }
    at = body.indexOf(ESCAPE_U, at + 2);
  }
  return false;
}

function hexAt(body: Buffer, from: number): number {
  const text = body.toString('latin1', from, from + 4);
  return /^[0-9a-fA-F]{4}$/.test(text) ? Number.parseInt(text, 16) : -1;
}

/** Index of the quote closing a string whose content starts at `from`; -1 when there is none. */
function closingQuote(body: Buffer, from: number): number {
  let at = body.indexOf(QUOTE, from);
  while (at >= 0) {
    let backslashes = 0;
    for (let j = at - 1; j >= from && body[j] === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = body.indexOf(QUOTE, at + 1);
  }
  return -1;
}

/** The forbidden name when the string at [start, end) is one and is used as an object key. */
function forbiddenKey(body: Buffer, start: number, end: number): string | undefined {
  const raw = end - start;
  if (raw > MAX_ESCAPED_KEY_BYTES) return undefined;
  let escaped = false;
  for (let j = start; j < end && !escaped; j++) escaped = body[j] === BACKSLASH;
  if (!escaped && !PLAIN_KEY_LENGTHS.has(raw)) return undefined;
  let text: string;
  try {
    text = escaped
      ? (JSON.parse(body.toString('utf8', start - 1, end + 1)) as string)
      : body.toString('latin1', start, end);
  } catch {
    return undefined;
  }
  if (!FORBIDDEN_KEYS.has(text)) return undefined;
  let next = end + 1;
  while (
    next < body.length &&
    (body[next] === 0x20 || body[next] === 0x09 || body[next] === 0x0a || body[next] === 0x0d)
  )
    next++;
  return body[next] === COLON ? text : undefined;
}

/** A body-parser `verify` error: the filter maps its `type` to a 400 problem. */
export class JsonShapeError extends Error {
  readonly status = 400;
  readonly expose = true;
  readonly type: 'entity.too.deep' | 'entity.forbidden.key' | 'entity.invalid.unicode';

  constructor(readonly violation: JsonShapeViolation) {
    super(describe(violation));
    this.name = 'JsonShapeError';
    this.type =
      violation.kind === 'depth'
        ? 'entity.too.deep'
        : violation.kind === 'key'
          ? 'entity.forbidden.key'
          : 'entity.invalid.unicode';
  }
}

function describe(violation: JsonShapeViolation): string {
  switch (violation.kind) {
    case 'depth':
      return `The JSON body is nested deeper than ${violation.maxDepth} levels`;
    case 'key':
      return `The JSON body uses the key "${violation.key}", which is not accepted anywhere`;
    case 'surrogate':
      return 'The JSON body has a \\u escape of half a UTF-16 surrogate pair, which is not text';
  }
}
