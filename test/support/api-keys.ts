import { createHash } from 'node:crypto';

/** A key and the `API_KEYS` entry that admits it: `admin`, a scope list (`payments:read+payments:write`), or none. */
export function apiKeyEntry(name: string, key: string, scopes: boolean | string = false): string {
  const list = scopes === true ? 'admin' : scopes === false ? '' : scopes;
  return `${name}:${createHash('sha256').update(key).digest('hex')}${list === '' ? '' : `:${list}`}`;
}

export const TEST_KEY = 'pk_test_user_key_0123456789';
export const TEST_ADMIN_KEY = 'pk_test_admin_key_0123456789';
/** `API_KEYS` with one ordinary and one admin key. */
export const TEST_API_KEYS = [apiKeyEntry('tester', TEST_KEY), apiKeyEntry('admin', TEST_ADMIN_KEY, true)].join(',');
