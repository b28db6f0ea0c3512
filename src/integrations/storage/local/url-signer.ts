import { createHmac, timingSafeEqual } from 'node:crypto';

/** Longest lifetime of a signed URL, as with S3 SigV4 presigning (7 days). */
export const MAX_URL_EXPIRES_SECONDS = 604_800;

export type SignedMethod = 'GET' | 'PUT';

/** What a local signed URL grants: one method on one key until `expires`, under conditions. */
export interface UrlGrant {
  readonly method: SignedMethod;
  readonly key: string;
  /** Unix seconds; the URL works while now ≤ expires, like S3's X-Amz-Date + X-Amz-Expires. */
  readonly expires: number;
  /** PUT: the Content-Type the upload must declare. GET: the Content-Type served. */
  readonly contentType: string;
  /** PUT: the exact body length. GET: unused (0). */
  readonly size: number;
  /** GET: the Content-Disposition served. PUT: unused (''). */
  readonly disposition: string;
}

export type VerifyResult =
  | { readonly ok: true; readonly grant: UrlGrant }
  | { readonly ok: false; readonly reason: 'malformed' | 'signature' | 'expired' };

/**
 * HMAC-SHA256 signatures for the local driver's download and upload URLs.
 * The MAC covers every field of the grant (method, key, expiry, content
 * type, size, disposition), so changing any query parameter voids the URL.
 */
export class UrlSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** Grant for `method` on `key` valid for `expiresInSeconds` from now (at most 7 days). */
  grant(fields: Omit<UrlGrant, 'expires'> & { readonly expiresInSeconds: number }): UrlGrant {
    if (
      !Number.isInteger(fields.expiresInSeconds) ||
      fields.expiresInSeconds < 1 ||
      fields.expiresInSeconds > MAX_URL_EXPIRES_SECONDS
    ) {
      throw new RangeError(`expiresInSeconds must be a whole number from 1 to ${MAX_URL_EXPIRES_SECONDS}`);
    }
    const { expiresInSeconds, ...rest } = fields;
    return { ...rest, expires: Math.floor(this.now() / 1000) + expiresInSeconds };
  }

  /** Query string parameters carrying the grant and its signature (the method is implied by the request). */
  toQuery(grant: UrlGrant): URLSearchParams {
    const query = new URLSearchParams({ key: grant.key, exp: String(grant.expires), ct: grant.contentType });
    if (grant.method === 'PUT') query.set('size', String(grant.size));
    else query.set('cd', grant.disposition);
    query.set('sig', this.sign(grant));
    return query;
  }

  /** Checks a request's method and query against its signature and expiry. */
  verify(method: string, query: Readonly<Record<string, unknown>>): VerifyResult {
    const text = (name: string): string | undefined => (typeof query[name] === 'string' ? query[name] : undefined);
    const key = text('key');
    const exp = text('exp');
    const ct = text('ct');
    const sig = text('sig');
    if (
      (method !== 'GET' && method !== 'PUT' && method !== 'HEAD') ||
      !key ||
      !exp ||
      !/^\d{1,12}$/.test(exp) ||
      ct === undefined ||
      !sig
    ) {
      return { ok: false, reason: 'malformed' };
    }
    const signedMethod: SignedMethod = method === 'PUT' ? 'PUT' : 'GET';
    const sizeText = text('size');
    // A download URL used for an upload lacks the size: to the caller that is simply the wrong signature, as with S3.
    if (signedMethod === 'PUT' && (sizeText === undefined || !/^\d{1,16}$/.test(sizeText)))
      return { ok: false, reason: 'signature' };
    const grant: UrlGrant = {
      method: signedMethod,
      key,
      expires: Number(exp),
      contentType: ct,
      size: signedMethod === 'PUT' ? Number(sizeText) : 0,
      disposition: signedMethod === 'GET' ? (text('cd') ?? '') : '',
    };
    const expected = Buffer.from(this.sign(grant));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'signature' };
    // Checked after the signature so an attacker learns nothing from a forged URL.
    if (this.now() > grant.expires * 1000) return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }

  private sign(grant: UrlGrant): string {
    // JSON of a fixed-order array: unambiguous whatever characters the fields hold.
    const canonical = JSON.stringify([
      'portico-storage-v1',
      grant.method,
      grant.key,
      grant.expires,
      grant.contentType,
      grant.size,
      grant.disposition,
    ]);
    return createHmac('sha256', this.secret).update(canonical).digest('base64url');
  }
}
