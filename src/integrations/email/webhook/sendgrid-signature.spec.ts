import { generateKeyPairSync, sign } from 'node:crypto';
import { checkSignature, parseWebhookPublicKey } from './sendgrid-signature';

describe('checkSignature', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const key = parseWebhookPublicKey(publicKey.export({ format: 'der', type: 'spki' }).toString('base64'));
  const now = 1_800_000_000_000;
  const timestamp = String(now / 1000);
  const rawBody = Buffer.from('[{"event":"delivered","sg_event_id":"e1"}]');
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), rawBody]), privateKey).toString('base64');
  const base = { key, signature, timestamp, rawBody, toleranceSeconds: 600, now };

  it('accepts SendGrid’s signature over timestamp + raw body', () => {
    expect(checkSignature(base)).toBe('valid');
  });

  it('refuses a changed body, a changed timestamp and a missing header', () => {
    expect(checkSignature({ ...base, rawBody: Buffer.from(rawBody.toString().replace('delivered', 'bounce')) })).toBe(
      'invalid',
    );
    expect(checkSignature({ ...base, timestamp: String(now / 1000 + 1) })).toBe('invalid');
    expect(checkSignature({ ...base, signature: undefined })).toBe('missing');
    expect(checkSignature({ ...base, signature: 'not base64 at all!' })).toBe('invalid');
  });

  it('refuses a correctly signed but old timestamp', () => {
    expect(checkSignature({ ...base, now: now + 601_000 })).toBe('stale');
  });

  it('parses PEM keys too', () => {
    expect(parseWebhookPublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString()).asymmetricKeyType).toBe(
      'ec',
    );
  });
});
