/**
 * `Retry-After` (RFC 9110: delay seconds or an HTTP date) in ms from `now`;
 * undefined when absent or unreadable. One parser for every adapter, so each
 * honours both forms the same way.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
