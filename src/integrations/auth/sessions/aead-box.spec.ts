import { randomBytes } from 'node:crypto';
import { AeadBox } from './aead-box';

describe(AeadBox.name, () => {
  const sut = new AeadBox(randomBytes(32));

  it('opens what it sealed, with the same purpose', () => {
    const sealed = sut.seal('provider-token', 'access:google:1');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('provider-token');
    expect(sut.open(sealed, 'access:google:1')).toBe('provider-token');
  });

  it('uses a fresh IV each time', () => {
    expect(sut.seal('same', 'p')).not.toBe(sut.seal('same', 'p'));
  });

  it('refuses another purpose, another key, tampering and garbage', () => {
    const sealed = sut.seal('secret', 'a');
    expect(sut.open(sealed, 'b')).toBeNull();
    expect(new AeadBox(randomBytes(32)).open(sealed, 'a')).toBeNull();
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(sut.open(`v1.${bytes.toString('base64url')}`, 'a')).toBeNull();
    expect(sut.open('v2.abc', 'a')).toBeNull();
    expect(sut.open('nonsense', 'a')).toBeNull();
  });

  it('needs a 32-byte key', () => {
    expect(() => new AeadBox(randomBytes(16))).toThrow(RangeError);
  });
});
