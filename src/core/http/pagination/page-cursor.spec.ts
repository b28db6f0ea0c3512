import { uuidv7 } from '../../database/ids';
import { CURSOR_VERSION, InvalidCursorException, decodeCursor, encodeCursor } from './page-cursor';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

describe('page cursor', () => {
  const id = uuidv7();

  it('round-trips the last id of a page for the list that issued it', () => {
    const cursor = encodeCursor('payments', id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('payments', cursor)).toBe(id);
  });

  it('is base64url of {v, l, k}: the version, the list and the keyset', () => {
    expect(JSON.parse(Buffer.from(encodeCursor('files', id), 'base64url').toString('utf8'))).toEqual({
      v: CURSOR_VERSION,
      l: 'files',
      k: id,
    });
  });

  it.each([
    ['not base64url at all', '!!'],
    ['a bare id (the old payments/files/users cursor)', id],
    ['base64url of a bare id (the old emails cursor)', b64(id)],
    ['JSON that is not an object', b64('[1,2]')],
    ['an altered keyset', b64(JSON.stringify({ v: 1, l: 'payments', k: "1' OR 1=1" }))],
    ['an extra member', b64(JSON.stringify({ v: 1, l: 'payments', k: id, x: 1 }))],
    ['one flipped character', encodeCursor('payments', id).replace(/^./, (c) => (c === 'e' ? 'f' : 'e'))],
    ['a cursor too long to be ours', 'A'.repeat(201)],
  ])('refuses %s with 400 invalid-cursor', (_what, cursor) => {
    const refusal = captured(() => decodeCursor('payments', cursor));
    expect(refusal).toBeInstanceOf(InvalidCursorException);
    expect(refusal.getStatus()).toBe(400);
    expect(refusal.problem.slug).toBe('invalid-cursor');
    expect(refusal.message).toBe('cursor is not a cursor this API returned');
  });

  it('refuses another list’s cursor, and another version’s, saying which', () => {
    expect(captured(() => decodeCursor('payments', encodeCursor('emails', id))).message).toBe(
      'cursor belongs to another list than payments',
    );
    const old = b64(JSON.stringify({ v: CURSOR_VERSION + 1, l: 'payments', k: id }));
    expect(captured(() => decodeCursor('payments', old)).message).toMatch(/version/);
  });
});

function captured(run: () => unknown): InvalidCursorException {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidCursorException) return error;
    throw error;
  }
  throw new Error('expected the cursor to be refused');
}
