import type { Scope } from './scopes';

/**
 * Who is calling. REST backends authenticate with an API key; the auth module
 * adds signed-in users. Resources record `ownerId` (`key:<id>` or `user:<id>`)
 * and list/read only their own unless the principal is an admin.
 * `scopes` say what the caller may do; `admin` is true when they include `admin`.
 */
export type Principal = ApiKeyPrincipal | UserPrincipal;

export interface ApiKeyPrincipal {
  readonly kind: 'api_key';
  readonly id: string;
  readonly name: string;
  readonly admin: boolean;
  readonly scopes: readonly Scope[];
}

export interface UserPrincipal {
  readonly kind: 'user';
  readonly id: string;
  readonly email?: string;
  readonly admin: boolean;
  readonly scopes: readonly Scope[];
  /** The sign-in this request belongs to (logout revokes it). */
  readonly sessionId?: string;
}

/** Stable owner reference stored on owned rows. */
export function ownerIdOf(principal: Principal): string {
  return principal.kind === 'api_key' ? `key:${principal.id}` : `user:${principal.id}`;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}
