import { normalizeContentType, sniffMatches } from './content-types';

const bytes = (...values: Array<number | string>): Buffer =>
  Buffer.concat(values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from([v]))));

describe('normalizeContentType', () => {
  it.each([
    ['image/png', 'image/png'],
    ['Text/Plain; charset=UTF-8', 'text/plain'],
    [' application/json ', 'application/json'],
    ['image/svg+xml', 'image/svg+xml'],
    ['png', undefined],
    ['', undefined],
    [undefined, undefined],
    ['text/plain\r\nX-Evil: 1', undefined],
  ])('%p → %p', (raw, type) => {
    expect(normalizeContentType(raw)).toBe(type);
  });
});

describe('sniffMatches', () => {
  const PNG = bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 'rest');
  const JPEG = bytes(0xff, 0xd8, 0xff, 0xe0, 'JFIF');
  const GIF = bytes('GIF89a', 1, 2);
  const WEBP = bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 ');
  const PDF = bytes('%PDF-1.7\n');
  const ZIP = bytes('PK', 3, 4, 'rest');

  it.each([
    ['image/png', PNG],
    ['image/jpeg', JPEG],
    ['image/gif', GIF],
    ['image/webp', WEBP],
    ['application/pdf', PDF],
    ['application/zip', ZIP],
    ['application/zip', bytes('PK', 5, 6)],
    ['text/plain', Buffer.from('héllo wörld\r\n\ttabbed')],
    ['text/csv', Buffer.from('a,b\n1,2\n')],
    ['text/plain', Buffer.alloc(0)],
    ['application/json', Buffer.from('\ufeff  {"a": 1}')],
    ['application/json', Buffer.from('[1, 2]')],
    ['application/octet-stream', PNG],
    ['application/octet-stream', bytes(0, 1, 2)],
    ['image/svg+xml', Buffer.from('<svg/>')],
  ])('accepts %s with matching bytes', (type, head) => {
    expect(sniffMatches(type, head, true)).toBe(true);
  });

  it.each([
    ['image/png', JPEG],
    ['image/png', Buffer.from('<html>')],
    ['image/png', Buffer.alloc(0)],
    ['image/jpeg', PNG],
    ['image/gif', bytes('GIF88a')],
    ['image/webp', bytes('RIFF', 0, 0, 0, 0, 'WAVE')],
    ['application/pdf', Buffer.from('hello')],
    ['application/zip', PDF],
    ['text/plain', PNG],
    ['text/plain', bytes('abc', 0, 'def')],
    ['text/csv', bytes(0xc3, 0x28)],
    ['application/json', Buffer.from('hello')],
    ['application/json', Buffer.alloc(0)],
    ['image/svg+xml', PNG],
  ])('refuses %s with contradicting bytes', (type, head) => {
    expect(sniffMatches(type, head, true)).toBe(false);
  });

  it('accepts text whose window ends inside a multi-byte character, unless the file ends there', () => {
    const cut = Buffer.from('abc€').subarray(0, 5); // € is 3 bytes; 2 of them kept
    expect(sniffMatches('text/plain', cut, false)).toBe(true);
    expect(sniffMatches('text/plain', cut, true)).toBe(false);
  });
});
