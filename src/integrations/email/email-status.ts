/**
 * Where a message stands. `queued` → `sending` → `sent` come from us;
 * `deferred`, `delivered`, `bounced`, `dropped`, `spamreport` from SendGrid's
 * event webhook; `opened` and `clicked` are only recorded as events; `failed`
 * means we gave up (dead-lettered; an admin can retry it); `suppressed`
 * (every recipient is on the suppression ledger) and `cancelled` (a scheduled
 * send cancelled in time) end a message that was never sent.
 */
export const EMAIL_STATUSES = [
  'queued',
  'sending',
  'sent',
  'deferred',
  'delivered',
  'bounced',
  'dropped',
  'spamreport',
  'opened',
  'clicked',
  'failed',
  'suppressed',
  'cancelled',
] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** Statuses a message row can hold (opened/clicked only appear in its history). */
export type StoredEmailStatus = Exclude<EmailStatus, 'opened' | 'clicked'>;

/**
 * Order in which statuses may follow each other: an event never moves a
 * message back (a late `deferred` after `delivered` is history, not status).
 */
const RANK: Readonly<Record<StoredEmailStatus, number>> = {
  queued: 0,
  sending: 1,
  failed: 2,
  sent: 3,
  // Final without a send: nothing SendGrid says can follow (and `sent` never overwrites them).
  suppressed: 3,
  cancelled: 3,
  deferred: 4,
  delivered: 5,
  bounced: 6,
  dropped: 6,
  spamreport: 7,
};

/** True when a message in `current` may move to `next`. */
export function movesForward(current: StoredEmailStatus, next: StoredEmailStatus): boolean {
  return RANK[next] > RANK[current];
}

/** Stored statuses a message may move to `next` from (for conditional updates). */
export function statusesBefore(next: StoredEmailStatus): StoredEmailStatus[] {
  return (Object.keys(RANK) as StoredEmailStatus[]).filter((status) => RANK[status] < RANK[next]);
}

export function isStoredStatus(status: EmailStatus): status is StoredEmailStatus {
  return status !== 'opened' && status !== 'clicked';
}
