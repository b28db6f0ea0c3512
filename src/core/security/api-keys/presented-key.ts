import type { Request } from 'express';

/** The API key a caller presented (`X-Api-Key` or `Authorization: Bearer <key>`), if any. */
export function presentedKey(req: Request): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  return bearerValue(req);
}

/** The value of `Authorization: Bearer <value>`, if present. */
export function bearerValue(req: Request): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(auth.trim());
  return match ? match[1] : undefined;
}
