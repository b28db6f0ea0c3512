/**
 * What a caller may do. Routes declare the scope they need with
 * `@RequireScopes()`; API keys carry a list, signed-in users get
 * `AUTH_USER_SCOPES` (plus `admin` for `AUTH_ADMIN_EMAILS`).
 * `admin` grants every scope and the `/admin/*` routes.
 */
export const SCOPES = [
  'payments:read',
  'payments:write',
  'payments:manage',
  'emails:read',
  'emails:send',
  'files:read',
  'files:write',
  'admin',
] as const;

export type Scope = (typeof SCOPES)[number];

/** What a key created without a scope list may do (the meaning such keys had before scopes existed). */
export const NON_ADMIN_SCOPES: readonly Scope[] = SCOPES.filter((scope) => scope !== 'admin');

/** A signed-in user's scopes when `AUTH_USER_SCOPES` is unset: pay and keep files; no email sending, no refunds. */
export const DEFAULT_USER_SCOPES: readonly Scope[] = [
  'payments:read',
  'payments:write',
  'files:read',
  'files:write',
  'emails:read',
];

/** One line per scope, for OpenAPI and docs/SECURITY.md. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  'payments:read': 'list and read payments',
  'payments:write': 'create payment intents',
  'payments:manage': 'capture, cancel and refund payments',
  'emails:read': 'list and read emails',
  'emails:send': 'send emails (plain or template)',
  'files:read': 'list files, read metadata, get download URLs',
  'files:write': 'upload, complete and delete files',
  admin: 'every scope, every owner’s data, and the /admin/* routes',
};

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** True when `held` satisfies `needed` (`admin` satisfies everything). */
export function grants(held: readonly Scope[], needed: Scope): boolean {
  return held.includes(needed) || held.includes('admin');
}

/** Scopes in canonical order without duplicates. */
export function normalizeScopes(scopes: Iterable<Scope>): Scope[] {
  const set = new Set(scopes);
  return SCOPES.filter((scope) => set.has(scope));
}
