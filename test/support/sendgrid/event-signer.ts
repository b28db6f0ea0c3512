import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';

/** Signs event-webhook batches the way SendGrid does: ECDSA P-256 / SHA-256 over timestamp + body, base64 DER. */
export class EventWebhookSigner {
  private readonly privateKey: KeyObject;
  /** The verification key as SendGrid shows it (base64 DER SPKI), for SENDGRID_WEBHOOK_PUBLIC_KEY. */
  readonly publicKeyBase64: string;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = privateKey;
    this.publicKeyBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  }

  /** Headers for `body` signed at `timestampSeconds` (default now). */
  headers(body: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
    const timestamp = String(timestampSeconds);
    const signature = sign(
      'sha256',
      Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]),
      this.privateKey,
    ).toString('base64');
    return {
      'Content-Type': 'application/json',
      'X-Twilio-Email-Event-Webhook-Signature': signature,
      'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
    };
  }
}
