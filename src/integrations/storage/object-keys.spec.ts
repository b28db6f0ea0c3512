import { isGeneratedKey, objectKeyFor, ownerKeySegment } from './object-keys';

describe('object keys', () => {
  const when = new Date(Date.UTC(2026, 0, 5, 23, 59));

  it('builds <owner>/<yyyy>/<mm>/<uuid>.<ext> from server-side facts only', () => {
    const key = objectKeyFor('key:0192f0c4-6c1e-7b6a-9f3e-1c2d3e4f5a6b', 'image/png', when);
    expect(key).toMatch(
      /^key_0192f0c4-6c1e-7b6a-9f3e-1c2d3e4f5a6b\/2026\/01\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.png$/,
    );
    expect(isGeneratedKey(key)).toBe(true);
  });

  it('uses UTC for the date folders', () => {
    expect(objectKeyFor('user:1', 'text/plain', new Date(Date.UTC(2026, 11, 31, 23, 30)))).toMatch(
      /^user_1\/2026\/12\//,
    );
  });

  it('derives the extension from the content type, bin when unknown', () => {
    expect(objectKeyFor('u', 'image/jpeg', when)).toMatch(/\.jpg$/);
    expect(objectKeyFor('u', 'application/octet-stream', when)).toMatch(/\.bin$/);
    expect(objectKeyFor('u', 'image/svg+xml', when)).toMatch(/\.bin$/);
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => objectKeyFor('u', 'image/png', when)));
    expect(keys.size).toBe(1000);
  });

  it.each([
    ['key:42', 'key_42'],
    ['user:a/b/../c', 'user_a_b_.._c'],
    ['..', '_'],
    ['../../etc', '_.._etc'],
    ['user:é😀\u0000', 'user_____'],
  ])('sanitises the owner %p into one safe segment %p', (owner, segment) => {
    expect(ownerKeySegment(owner)).toBe(segment);
    expect(segment).not.toContain('/');
  });

  it('caps the owner segment at 100 characters', () => {
    expect(ownerKeySegment(`user:${'x'.repeat(300)}`)).toHaveLength(100);
  });

  it.each([
    '../x/2026/01/0192f0c4-6c1e-4b6a-9f3e-1c2d3e4f5a6b.png',
    '/abs/2026/01/0192f0c4-6c1e-4b6a-9f3e-1c2d3e4f5a6b.png',
    'u/2026/01/name.png',
    'u/2026/01/0192f0c4-6c1e-4b6a-9f3e-1c2d3e4f5a6b.png/..',
  ])('does not take %p for a generated key', (key) => {
    expect(isGeneratedKey(key)).toBe(false);
  });
});
