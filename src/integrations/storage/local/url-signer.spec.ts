import { MAX_URL_EXPIRES_SECONDS, UrlSigner, type UrlGrant } from './url-signer';

const SECRET = Buffer.from('a-test-secret-of-at-least-32-characters!');
const KEY = 'key_1/2026/11/0192f0c4-6c1e-4b6a-9f3e-1c2d3e4f5a6b.png';

describe(UrlSigner.name, () => {
  let now: number;
  let sut: UrlSigner;
  beforeEach(() => {
    now = Date.UTC(2026, 10, 27, 9, 0, 0, 500);
    sut = new UrlSigner(SECRET, () => now);
  });

  const put = (): UrlGrant =>
    sut.grant({ method: 'PUT', key: KEY, expiresInSeconds: 60, contentType: 'image/png', size: 1234, disposition: '' });
  const get = (): UrlGrant =>
    sut.grant({
      method: 'GET',
      key: KEY,
      expiresInSeconds: 60,
      contentType: 'image/png',
      size: 0,
      disposition: 'attachment; filename="a.png"',
    });
  const query = (grant: UrlGrant): Record<string, string> => Object.fromEntries(sut.toQuery(grant));

  it('counts the expiry from the signing second, like SigV4 (X-Amz-Date + X-Amz-Expires)', () => {
    expect(put().expires).toBe(Math.floor(now / 1000) + 60);
  });

  it('accepts its own URLs for the signed method', () => {
    expect(sut.verify('PUT', query(put()))).toEqual({ ok: true, grant: put() });
    expect(sut.verify('GET', query(get()))).toMatchObject({
      ok: true,
      grant: { method: 'GET', disposition: 'attachment; filename="a.png"' },
    });
    expect(sut.verify('HEAD', query(get())).ok).toBe(true);
  });

  it('works through the last second of its lifetime and not after', () => {
    const q = query(put());
    now = (Math.floor(now / 1000) + 60) * 1000;
    expect(sut.verify('PUT', q).ok).toBe(true);
    now += 1;
    expect(sut.verify('PUT', q)).toEqual({ ok: false, reason: 'expired' });
  });

  it.each([
    ['key', `${KEY}x`],
    ['exp', '9999999999'],
    ['ct', 'text/html'],
    ['size', '1235'],
    ['sig', 'AAAA'],
  ])('refuses a URL whose %s was changed', (name, value) => {
    expect(sut.verify('PUT', { ...query(put()), [name]: value })).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses a download URL used for an upload and the other way round', () => {
    expect(sut.verify('PUT', query(get())).ok).toBe(false);
    expect(sut.verify('GET', query(put())).ok).toBe(false);
  });

  it('refuses a changed Content-Disposition on a download URL', () => {
    expect(sut.verify('GET', { ...query(get()), cd: 'inline' })).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses URLs signed with another secret', () => {
    const other = new UrlSigner(Buffer.from('another-secret-of-at-least-32-characters'), () => now);
    expect(other.verify('PUT', query(put()))).toEqual({ ok: false, reason: 'signature' });
  });

  it('says malformed for missing fields and other methods', () => {
    expect(sut.verify('PUT', { key: KEY })).toEqual({ ok: false, reason: 'malformed' });
    expect(sut.verify('DELETE', query(put()))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('checks the signature before the expiry (a forged URL learns nothing)', () => {
    const q = { ...query(put()), sig: 'forged' };
    now += 3600_000;
    expect(sut.verify('PUT', q)).toEqual({ ok: false, reason: 'signature' });
  });

  it.each([0, MAX_URL_EXPIRES_SECONDS + 1, 1.5])('refuses a lifetime of %s seconds', (expiresInSeconds) => {
    expect(() =>
      sut.grant({ method: 'GET', key: KEY, expiresInSeconds, contentType: 'x/y', size: 0, disposition: '' }),
    ).toThrow(RangeError);
  });
});
