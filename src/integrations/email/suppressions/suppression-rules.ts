import type { JsonObject } from '../json';
import type { SuppressionReason } from '../entities/email-suppression.entity';

/** What one webhook event does to the ledger. */
export type LedgerChange =
  | {
      readonly kind: 'suppress';
      readonly address: string;
      readonly reason: SuppressionReason;
      readonly groupId: number | null;
    }
  | { readonly kind: 'resubscribe'; readonly address: string; readonly groupId: number }
  | { readonly kind: 'none'; readonly note?: string };

/**
 * SendGrid's `dropped` reasons that mean the address is on one of its
 * suppression lists (SendGrid drops every later message to it); other drop
 * reasons (spam content, bad headers) are about the message, not the address.
 */
const DROP_REASONS: ReadonlyArray<readonly [RegExp, SuppressionReason]> = [
  [/^bounced address$/i, 'bounce'],
  [/^spam reporting address$/i, 'spamreport'],
  [/^unsubscribed address$/i, 'unsubscribe'],
  [/^invalid( address)?$/i, 'invalid'],
];

/** Lower case, trimmed: the one form the ledger stores and looks up. */
export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}

function groupIdOf(payload: JsonObject): number | null {
  const value = Number(payload.asm_group_id);
  return Number.isInteger(value) && value > 0 ? value : null;
}

/**
 * The ledger decision for one verified webhook event:
 * a hard `bounce` (not `type: blocked`, which is temporary), `dropped` for a
 * suppression reason, `spamreport` and `unsubscribe` suppress the address for
 * every message; `group_unsubscribe` for its group only; `group_resubscribe`
 * lifts that group's entry. Everything else changes nothing.
 */
export function ledgerChangeOf(event: string, payload: JsonObject): LedgerChange {
  const address = typeof payload.email === 'string' ? normaliseAddress(payload.email) : '';
  if (address === '') return { kind: 'none' };
  switch (event) {
    case 'bounce':
      return payload.type === 'blocked'
        ? { kind: 'none', note: 'blocked (temporary) bounce: not suppressed' }
        : { kind: 'suppress', address, reason: 'bounce', groupId: null };
    case 'dropped': {
      const reason = typeof payload.reason === 'string' ? payload.reason.trim() : '';
      const match = DROP_REASONS.find(([pattern]) => pattern.test(reason));
      return match ? { kind: 'suppress', address, reason: match[1], groupId: null } : { kind: 'none' };
    }
    case 'spamreport':
      return { kind: 'suppress', address, reason: 'spamreport', groupId: null };
    case 'unsubscribe':
      return { kind: 'suppress', address, reason: 'unsubscribe', groupId: null };
    case 'group_unsubscribe': {
      const groupId = groupIdOf(payload);
      return groupId === null
        ? { kind: 'none', note: 'group_unsubscribe without asm_group_id' }
        : { kind: 'suppress', address, reason: 'group_unsubscribe', groupId };
    }
    case 'group_resubscribe': {
      const groupId = groupIdOf(payload);
      return groupId === null ? { kind: 'none' } : { kind: 'resubscribe', address, groupId };
    }
    default:
      return { kind: 'none' };
  }
}

export interface Recipients {
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
}

export interface RemovedRecipient {
  readonly email: string;
  readonly reason: SuppressionReason;
  readonly groupId: number | null;
}

export interface FilteredRecipients {
  /** Null when no recipient is left: the message ends `suppressed`. */
  readonly kept: { to: string[]; cc: string[]; bcc: string[] } | null;
  readonly removed: RemovedRecipient[];
}

/**
 * Takes suppressed addresses out of a message. SendGrid needs a `to`: when
 * every `to` is suppressed the cc recipients move up; when only bcc
 * recipients are left, the message goes to the sender with them in bcc, so
 * they still do not see each other.
 */
export function withoutSuppressed(
  recipients: Recipients,
  blocked: ReadonlyMap<string, { reason: SuppressionReason; groupId: number | null }>,
  sender: string,
): FilteredRecipients {
  const removed: RemovedRecipient[] = [];
  const keep = (list: readonly string[]): string[] =>
    list.filter((email) => {
      const hit = blocked.get(normaliseAddress(email));
      if (hit) removed.push({ email, reason: hit.reason, groupId: hit.groupId });
      return hit === undefined;
    });
  let to = keep(recipients.to);
  let cc = keep(recipients.cc);
  const bcc = keep(recipients.bcc);
  if (to.length + cc.length + bcc.length === 0) return { kept: null, removed };
  if (to.length === 0 && cc.length > 0) [to, cc] = [cc, []];
  if (to.length === 0) {
    to = [sender];
    return { kept: { to, cc, bcc: bcc.filter((e) => normaliseAddress(e) !== normaliseAddress(sender)) }, removed };
  }
  return { kept: { to, cc, bcc }, removed };
}
