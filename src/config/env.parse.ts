/**
 * Small parsers used by the `registerAs` factories. They run after
 * `validateEnv`, so they only convert already-validated strings.
 */
export function str(value: string | undefined, fallback: string): string;
export function str(value: string | undefined): string | undefined;
export function str(value: string | undefined, fallback?: string): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? fallback : trimmed;
}

export function int(value: string | undefined, fallback: number): number {
  const s = str(value);
  return s === undefined ? fallback : Number.parseInt(s, 10);
}

export function num(value: string | undefined, fallback: number): number {
  const s = str(value);
  return s === undefined ? fallback : Number(s);
}

export function bool(value: string | undefined, fallback: boolean): boolean {
  const s = str(value)?.toLowerCase();
  if (s === undefined) return fallback;
  return s === 'true' || s === '1' || s === 'yes' || s === 'on';
}

/** Comma-separated list; blanks dropped. */
export function list(value: string | undefined, fallback: readonly string[] = []): string[] {
  const s = str(value);
  if (s === undefined) return [...fallback];
  return s
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
