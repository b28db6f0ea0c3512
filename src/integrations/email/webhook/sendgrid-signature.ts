import { createPublicKey, type KeyObject, verify } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/**
 * Reads the verification key SendGrid shows in its event-webhook settings:
 * base64 DER (SPKI), as SendGrid displays it, or PEM.
 * @throws Error when it is not an EC public key.
 */
export function parseWebhookPublicKey(text: string): KeyObject {
  const key = text.includes('BEGIN PUBLIC KEY')
    ? createPublicKey(text)
    : createPublicKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec') throw new Error('not an EC public key');
  return key;
}

export type SignatureCheck = 'valid' | 'missing' | 'stale' | 'invalid';

/**
 * SendGrid's signed event webhook: an ECDSA (P-256, SHA-256) signature,
 * base64 DER, over the timestamp header followed by the raw body. Timestamps
 * further than `toleranceSeconds` from now are refused, so a captured request
 * cannot be replayed later.
 */
export function checkSignature(input: {
  readonly key: KeyObject;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly rawBody: Buffer;
  readonly toleranceSeconds: number;
  readonly now?: number;
}): SignatureCheck {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) return 'missing';
  if (!/^\d{1,12}$/.test(timestamp)) return 'invalid';
  const ageSeconds = Math.abs((input.now ?? Date.now()) / 1000 - Number(timestamp));
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), input.rawBody]);
  let ok = false;
  try {
    ok = verify('sha256', signed, input.key, Buffer.from(signature, 'base64'));
  } catch {
    ok = false; // a malformed signature is simply not valid
  }
  if (!ok) return 'invalid';
  return ageSeconds > input.toleranceSeconds ? 'stale' : 'valid';
}
