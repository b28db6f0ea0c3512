/**
 * Log redaction. Header paths are fixed; field names are matched anywhere in
 * a logged object so a secret passed by a new module is hidden too.
 */
export const REDACTED = '[Redacted]';

/** Headers that carry credentials or signatures. */
export const REDACTED_HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["stripe-signature"]',
  'req.headers["x-twilio-email-event-webhook-signature"]',
  'res.headers["set-cookie"]',
];

/** Field names (any depth) whose values are never logged. */
const SENSITIVE_KEY =
  /secret|password|passwd|token|api[-_]?key|authorization|cookie|signature|private[-_]?key|client[-_]?secret|credential/i;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/**
 * Copies `value` with every sensitive field replaced. Bounded depth and
 * cycle-safe so logging can never hang or throw on odd objects.
 */
export function redactDeep(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[Truncated]';
  if (value instanceof Error || Buffer.isBuffer(value) || value instanceof Date) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      isSensitiveKey(key) && item !== undefined && item !== null ? REDACTED : redactDeep(item, depth + 1, seen);
  }
  return out;
}
