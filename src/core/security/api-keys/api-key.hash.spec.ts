import { generateApiKey, hashApiKey, sameHash } from './api-key.hash';

describe('api key hashing', () => {
  it('generates distinct 256-bit keys', () => {
    const a = generateApiKey();
    expect(a).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(a);
  });

  it('hashes with SHA-256 (what API_KEYS entries hold)', () => {
    expect(hashApiKey('test')).toBe('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
  });

  it('compares digests, refusing different or malformed ones', () => {
    const h = hashApiKey('k');
    expect(sameHash(h, hashApiKey('k'))).toBe(true);
    expect(sameHash(h, hashApiKey('other'))).toBe(false);
    expect(sameHash(h, 'zz')).toBe(false);
    expect(sameHash('', '')).toBe(false);
  });
});
