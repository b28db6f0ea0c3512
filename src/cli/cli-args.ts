import { SCOPES, type Scope, isScope } from '../core/security/scopes';
import { CliUsageError } from './cli-context';

export const KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--scopes payments:write,payments:manage` → scopes; undefined → null (no list). */
export function parseScopesArg(value: string | undefined): Scope[] | null {
  if (value === undefined) return null;
  const items = value
    .split(/[,+\s]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const unknown = items.filter((item) => !isScope(item));
  if (items.length === 0 || unknown.length > 0) {
    throw new CliUsageError(
      `--scopes must list one or more of: ${SCOPES.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`,
    );
  }
  return items as Scope[];
}

/** `--expires-in 90d` (m, h or d) → the expiry instant; undefined → null (never). */
export function parseExpiresInArg(value: string | undefined, now = Date.now()): Date | null {
  if (value === undefined) return null;
  const match = /^(\d{1,6})([mhd])$/.exec(value.trim());
  if (match === null || Number(match[1]) === 0) {
    throw new CliUsageError('--expires-in must be a positive number with a unit: 30m, 12h or 90d');
  }
  return new Date(now + Number(match[1]) * UNIT_MS[match[2]]);
}
