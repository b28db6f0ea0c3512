import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/**
 * The work every webhook server in the benchmark does, without a framework:
 * verify the signature with the Stripe SDK, check the event's shape and mode,
 * and one `INSERT … ON CONFLICT DO NOTHING` into a table shaped like
 * Portico's `stripe_events` (same columns, indexes and SQLite pragmas).
 */
export interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}

export interface SqliteDatabase {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  prepare(source: string): SqliteStatement;
  close(): void;
}

/** better-sqlite3 (no @types package installed; this is the part the benchmark uses). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const Database = require('better-sqlite3') as new (
  path: string,
  options?: { readonly?: boolean },
) => SqliteDatabase;

export function openInbox(
  path: string,
): (payload: string, signature: string | undefined) => { status: number; body: string } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS stripe_events (
    id varchar(36) PRIMARY KEY, status varchar(16) NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0,
    next_attempt_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, locked_until datetime, locked_by varchar(64), last_error text,
    processed_at datetime, created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    event_id varchar(255) NOT NULL, type varchar(255) NOT NULL, livemode boolean NOT NULL, event_created bigint NOT NULL,
    payload text NOT NULL, source varchar(16) NOT NULL);
    CREATE UNIQUE INDEX IF NOT EXISTS uq_stripe_events_event_id ON stripe_events (event_id);
    CREATE INDEX IF NOT EXISTS ix_stripe_events_status_due ON stripe_events (status, next_attempt_at);`);
  const insert = db.prepare(
    'INSERT INTO stripe_events (id, event_id, type, livemode, event_created, payload, source) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING RETURNING id',
  );
  const secret = process.env.STRIPE_WEBHOOK_SECRET ?? '';
  return (payload, signature) => {
    let event: { id?: unknown; type?: unknown; created?: unknown; livemode?: unknown; data?: unknown };
    try {
      event = Stripe.webhooks.constructEvent(payload, signature ?? '', secret, 300);
    } catch {
      return { status: 400, body: '{"title":"Invalid webhook"}' };
    }
    if (
      typeof event.id !== 'string' ||
      typeof event.type !== 'string' ||
      typeof event.created !== 'number' ||
      event.livemode !== false ||
      typeof event.data !== 'object'
    ) {
      return { status: 400, body: '{"title":"Invalid webhook"}' };
    }
    const rows = insert.all(
      randomBytes(16).toString('hex').slice(0, 36),
      event.id,
      event.type,
      0,
      event.created,
      payload,
      'webhook',
    );
    return { status: 200, body: JSON.stringify({ received: true, duplicate: rows.length === 0 }) };
  };
}

export function announce(port: number): void {
  process.send?.({ port });
}
