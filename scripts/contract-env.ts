/**
 * The configuration the committed contract (openapi.json) describes: the
 * defaults (local storage driver, so its signed-URL routes are mounted) with
 * PUBLIC_URL pinned. The export and the contract test both use it, so the
 * document depends on the code only, never on a developer's .env or shell.
 */
export const CONTRACT_PUBLIC_URL = 'https://api.portico.dev';

export const CONTRACT_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  PUBLIC_URL: CONTRACT_PUBLIC_URL,
};

/** The committed contract, relative to the repository root. */
export const CONTRACT_FILE = 'openapi.json';
