import type { ConfigType } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { int, str } from '../../config/env.parse';
import { EmptyAsUndefined, IsIntString } from '../../config/env.validators';
import { defineProviderConfig } from '../../config/provider-config';
import { isEmailAddress } from './dto/email-validators';

/** One allowed sender. */
export interface Sender {
  readonly email: string;
  readonly name?: string;
}

class DeliverabilityEnv {
  /** `Billing <billing@example.com>, support@example.com`: the senders a message may pick as `from`. */
  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  EMAIL_SENDERS?: string;

  /** `key:<id>=billing@example.com|support@example.com; user:<id>=...; *=...`: who may use which sender. */
  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  EMAIL_SENDER_GRANTS?: string;

  /** `newsletter=123, billing=456`: default unsubscribe group of a message by its first matching category. */
  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  EMAIL_ASM_GROUP_BY_CATEGORY?: string;

  /** Minutes before `sendAt` a scheduled message leaves our outbox for SendGrid (over 10: SendGrid cancels no later). */
  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(11, 4_320)
  EMAIL_SCHEDULE_HANDOVER_MINUTES?: string;

  /** Attachments per message after base64, bytes (SendGrid: the whole message under 30 MB). */
  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1_024, 30 * 1024 * 1024)
  EMAIL_ATTACHMENTS_MAX_BYTES?: string;
}

const SENDER = /^\s*(?:(.+?)\s*<([^<>\s]+)>|([^<>\s]+))\s*$/;

/** `Name <address>` or `address` → a sender, else undefined. */
export function parseSender(entry: string): Sender | undefined {
  const match = SENDER.exec(entry);
  if (!match) return undefined;
  const email = (match[2] ?? match[3]).toLowerCase();
  if (!isEmailAddress(email)) return undefined;
  const name = match[1]?.replace(/^"|"$/g, '').trim();
  return name ? { email, name: name.slice(0, 100) } : { email };
}

function entries(value: string | undefined, separator: string): string[] {
  return (str(value) ?? '')
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseGrants(value: string | undefined): Map<string, Set<string>> {
  const grants = new Map<string, Set<string>>();
  for (const entry of entries(value, ';')) {
    const at = entry.lastIndexOf('=');
    const owner = entry.slice(0, at).trim();
    grants.set(
      owner,
      new Set(
        entry
          .slice(at + 1)
          .split('|')
          .map((a) => a.trim().toLowerCase())
          .filter(Boolean),
      ),
    );
  }
  return grants;
}

function parseGroups(value: string | undefined): Map<string, number> {
  return new Map(
    entries(value, ',').map((entry) => {
      const at = entry.lastIndexOf('=');
      return [entry.slice(0, at).trim(), Number(entry.slice(at + 1))] as const;
    }),
  );
}

/** Email deliverability: senders, sender grants, default unsubscribe groups, scheduling and attachment limits. */
export const deliverabilityConfig = defineProviderConfig({
  namespace: 'emailDeliverability',
  label: 'email deliverability',
  schema: DeliverabilityEnv,
  required: [],
  load: (env) => ({
    senders: entries(env.EMAIL_SENDERS, ',')
      .map(parseSender)
      .filter((s): s is Sender => s !== undefined),
    senderGrants: parseGrants(env.EMAIL_SENDER_GRANTS),
    groupByCategory: parseGroups(env.EMAIL_ASM_GROUP_BY_CATEGORY),
    handoverMs: int(env.EMAIL_SCHEDULE_HANDOVER_MINUTES, 15) * 60_000,
    attachmentsMaxBytes: int(env.EMAIL_ATTACHMENTS_MAX_BYTES, 30 * 1024 * 1024),
  }),
  rules: (env) => {
    const problems: string[] = [];
    const bad = entries(env.EMAIL_SENDERS, ',').filter((entry) => parseSender(entry) === undefined);
    if (bad.length > 0) problems.push(`EMAIL_SENDERS: not "Name <address>" or an address: ${bad.join(', ')}`);
    for (const entry of entries(env.EMAIL_SENDER_GRANTS, ';')) {
      const at = entry.lastIndexOf('=');
      const addresses = entry
        .slice(at + 1)
        .split('|')
        .map((a) => a.trim())
        .filter(Boolean);
      if (at <= 0 || addresses.length === 0 || !addresses.every(isEmailAddress))
        problems.push(`EMAIL_SENDER_GRANTS: "${entry}" is not <owner>=<address>|<address>`);
    }
    for (const entry of entries(env.EMAIL_ASM_GROUP_BY_CATEGORY, ',')) {
      const at = entry.lastIndexOf('=');
      if (at <= 0 || !/^[1-9]\d{0,9}$/.test(entry.slice(at + 1).trim()))
        problems.push(`EMAIL_ASM_GROUP_BY_CATEGORY: "${entry}" is not <category>=<group id>`);
    }
    return problems;
  },
});

export type DeliverabilityConfig = ConfigType<typeof deliverabilityConfig>;
