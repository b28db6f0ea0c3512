import type { Request } from 'express';
import type { UserPrincipal } from './principal';

/**
 * Port through which the global guard accepts user sessions; the auth
 * integration provides it. Without a provider only API keys are accepted.
 */
export interface SessionVerifier {
  /** True when a Bearer value has the shape of a session token (so it is not tried as an API key). */
  looksLikeSessionToken(value: string): boolean;
  /** The session token a browser sent in its cookie, if any. */
  tokenFromCookie(req: Request): string | undefined;
  /** The signed-in user for a valid, unexpired, unrevoked session token; null otherwise. */
  verify(token: string): Promise<UserPrincipal | null>;
}

export const SessionVerifier = Symbol('SessionVerifier');
