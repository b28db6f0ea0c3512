/** The token endpoint's answer as passport-oauth2 hands it over (`params`). */
export type TokenParams = Readonly<Record<string, unknown>>;

export function firstString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `expires_in` in seconds, when the provider sent a usable one. */
export function expiresIn(params: TokenParams): number | null {
  const value = Number(params.expires_in);
  return Number.isFinite(value) && value > 0 ? value : null;
}
