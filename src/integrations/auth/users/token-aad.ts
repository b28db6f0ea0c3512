/** Binds a token's ciphertext to its account, so it cannot be moved to another row. */
export function tokenAad(provider: string, providerUserId: string): string {
  return `oauth_accounts:${provider}:${providerUserId}`;
}
