import { UUID_PATTERN } from '../../database/ids';
import { ProblemException } from '../../errors/problem.exception';

/** Bumped when the cursor's content changes; older cursors then answer 400 instead of paging wrongly. */
export const CURSOR_VERSION = 1;

/** What a cursor carries: the version, the list it belongs to and the keyset of the last row sent. */
interface CursorBody {
  readonly v: number;
  readonly l: string;
  readonly k: string;
}

/** The shape a cursor has on the wire (base64url); anything else is refused before it is decoded. */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * The one cursor format of every list endpoint: base64url of
 * `{"v":1,"l":"<list>","k":"<id of the last row sent>"}`. The keyset is the
 * row id, a UUIDv7 (creation millisecond, then random bits), so it orders rows
 * by creation time and breaks ties within a millisecond; see `keyset-page.ts`
 * for why `created_at` itself is not in it. Clients treat it as opaque.
 */
export function encodeCursor(list: string, lastId: string): string {
  const body: CursorBody = { v: CURSOR_VERSION, l: list, k: lastId };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/**
 * The id after which the next page starts.
 * @throws InvalidCursorException (400 problem+json) when the cursor does not
 * decode, was altered, has another version, or belongs to another list.
 */
export function decodeCursor(list: string, cursor: string): string {
  const body = CURSOR_PATTERN.test(cursor) ? parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  if (!isCursorBody(body)) throw new InvalidCursorException('cursor is not a cursor this API returned');
  if (body.v !== CURSOR_VERSION)
    throw new InvalidCursorException('cursor comes from an older version of this API; start again without one');
  if (body.l !== list) throw new InvalidCursorException(`cursor belongs to another list than ${list}`);
  return body.k;
}

/** 400 `invalid-cursor`: the client should start again from the first page. */
export class InvalidCursorException extends ProblemException {
  constructor(detail: string) {
    super(400, detail, { slug: 'invalid-cursor', title: 'Invalid cursor' });
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isCursorBody(value: unknown): value is CursorBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const body = value as Record<string, unknown>;
  return (
    Object.keys(body).length === 3 &&
    typeof body.v === 'number' &&
    typeof body.l === 'string' &&
    typeof body.k === 'string' &&
    UUID_PATTERN.test(body.k)
  );
}
