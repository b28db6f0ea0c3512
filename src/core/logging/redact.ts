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
  if (value instanceof Error) return redactError(value, depth, seen);
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      isSensitiveKey(key) && item !== undefined && item !== null ? REDACTED : redactDeep(item, depth + 1, seen);
  }
  return out;
}

/**
 * `redactDeep` for a pino log object, except the keys pino serializes
 * itself (`req`, `res`): their serializers keep a few named fields and
 * nothing else, and walking the raw request and response (socket, parser,
 * server) on every request log line cost more than the rest of the line.
 */
export function redactLogObject(
  object: Record<string, unknown>,
  serialized: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new WeakSet<object>();
  for (const key of Object.keys(object)) {
    const item = object[key];
    out[key] = serialized.has(key)
      ? item
      : isSensitiveKey(key) && item !== undefined && item !== null
        ? REDACTED
        : redactDeep(item, 1, seen);
  }
  return out;
}

/**
 * Error fields that may be logged. Anything else an error carries is
 * dropped: TypeORM's `parameters` and PostgreSQL's `detail` hold the row's
 * values (recipients, token hashes), SDK errors carry whole requests and
 * responses (message bodies), HTTP errors their URL with its query.
 */
const LOGGED_ERROR_FIELDS = [
  'code',
  'errno',
  'syscall',
  'status',
  'statusCode',
  'httpStatus',
  'upstreamStatus',
  'upstreamRequestId',
  'upstreamBody',
  'provider',
  'operation',
  'retryable',
  'retryAfterMs',
  'details',
  'query',
  'table',
  'constraint',
] as const;

const URL_QUERY = /(\bhttps?:\/\/[^\s?#"'<>]*)\?[^\s#"'<>]*/gi;
const MAX_LOGGED_TEXT = 2_000;

/** Text with the query part of every URL removed (tokens and signatures travel there). */
export function withoutUrlQueries(text: string): string {
  return text.replace(URL_QUERY, '$1?[Redacted]');
}

/**
 * A loggable copy of an error (and its `cause` chain): name, message and
 * stack with URL queries removed, plus the fields of `LOGGED_ERROR_FIELDS`,
 * redacted like any other object.
 */
export function redactError(error: Error, depth = 0, seen: WeakSet<object> = new WeakSet()): Record<string, unknown> {
  seen.add(error);
  const out: Record<string, unknown> = { type: error.name, message: loggedText(error.message) };
  if (typeof error.stack === 'string') out.stack = loggedText(error.stack, 4 * MAX_LOGGED_TEXT);
  const fields = error as unknown as Record<string, unknown>;
  for (const field of LOGGED_ERROR_FIELDS) {
    const value = fields[field];
    if (value === undefined || value === null) continue;
    out[field] = typeof value === 'string' ? loggedText(value) : redactDeep(value, depth + 1, seen);
  }
  const cause = error.cause;
  if (cause instanceof Error) {
    out.cause = depth > 8 || seen.has(cause) ? '[Truncated]' : redactError(cause, depth + 1, seen);
  } else if (cause !== undefined) {
    out.cause = typeof cause === 'string' ? loggedText(cause) : '[non-error cause]';
  }
  return out;
}

function loggedText(text: string, max = MAX_LOGGED_TEXT): string {
  const clean = withoutUrlQueries(text);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
