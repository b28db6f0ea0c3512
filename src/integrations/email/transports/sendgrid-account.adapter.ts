import type { Client } from '@sendgrid/client';
import { Injectable } from '@nestjs/common';
import { ProviderFailedError } from '../../../core/errors/integration.error';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';
import type { SuppressionReason } from '../entities/email-suppression.entity';
import type { EmailAccount, ListedSuppression, SuppressionToLift, SyncList } from './email-account.port';
import { toIntegrationError } from './sendgrid-errors';

/** Our reasons → SendGrid's v3 list paths (manual entries exist only here). */
const LIST_PATHS: Partial<Record<SuppressionReason, string>> = {
  bounce: 'bounces',
  spamreport: 'spam_reports',
  invalid: 'invalid_emails',
};
const REASON_OF_LIST: Readonly<Record<string, SuppressionReason>> = {
  bounces: 'bounce',
  spam_reports: 'spamreport',
  unsubscribes: 'unsubscribe',
};

/**
 * SendGrid's suppression and scheduled-send APIs through `@sendgrid/client`,
 * under the same `sendgrid` policy and error mapping as mail/send.
 */
@Injectable()
export class SendGridAccount implements EmailAccount {
  readonly remote = true;

  constructor(private readonly client: Client) {}

  @Resilient('sendgrid')
  @Monitored('sendgrid', 'suppressions.list')
  async listSuppressions(list: SyncList, offset: number, limit: number): Promise<ListedSuppression[]> {
    if (list.startsWith('group:')) {
      // SendGrid answers a group's suppressions as one array of addresses (no paging): offset past 0 is the end.
      if (offset > 0) return [];
      const groupId = Number(list.slice('group:'.length));
      const body = await this.call('suppressions.list', {
        method: 'GET',
        url: `/v3/asm/groups/${groupId}/suppressions`,
      });
      return (Array.isArray(body) ? (body as unknown[]) : [])
        .filter((email): email is string => typeof email === 'string')
        .map((address) => ({ address, reason: 'group_unsubscribe' as const, groupId }));
    }
    const body = await this.call('suppressions.list', {
      method: 'GET',
      url: `/v3/suppression/${list}`,
      qs: { limit, offset },
    });
    return (Array.isArray(body) ? (body as unknown[]) : [])
      .filter(
        (entry): entry is { email: string; created?: unknown } =>
          typeof (entry as { email?: unknown } | null)?.email === 'string',
      )
      .map((entry) => ({
        address: entry.email,
        reason: REASON_OF_LIST[list],
        groupId: null,
        createdAt: typeof entry.created === 'number' ? new Date(entry.created * 1000) : undefined,
      }));
  }

  @Resilient('sendgrid')
  @Monitored('sendgrid', 'asm.groups.list')
  async listGroups(): Promise<number[]> {
    const body = await this.call('asm.groups.list', { method: 'GET', url: '/v3/asm/groups' });
    return (Array.isArray(body) ? (body as Array<{ id?: unknown } | null>) : [])
      .map((group) => Number(group?.id))
      .filter((id) => Number.isInteger(id) && id > 0);
  }

  @Resilient('sendgrid')
  @Monitored('sendgrid', 'suppressions.delete')
  async liftSuppression(entry: SuppressionToLift): Promise<void> {
    const email = encodeURIComponent(entry.address);
    const url =
      entry.reason === 'unsubscribe'
        ? `/v3/asm/suppressions/global/${email}`
        : entry.reason === 'group_unsubscribe' && entry.groupId !== null
          ? `/v3/asm/groups/${entry.groupId}/suppressions/${email}`
          : LIST_PATHS[entry.reason] !== undefined
            ? `/v3/suppression/${LIST_PATHS[entry.reason]}/${email}`
            : undefined;
    if (url === undefined) return; // manual: only in our ledger
    await this.call('suppressions.delete', { method: 'DELETE', url }, true);
  }

  /** Creating an unused batch id costs nothing, so a retry after a lost answer is harmless. */
  @Resilient('sendgrid')
  @Monitored('sendgrid', 'mail.batch.create')
  async createBatch(): Promise<string> {
    const body = (await this.call('mail.batch.create', { method: 'POST', url: '/v3/mail/batch' })) as {
      batch_id?: unknown;
    } | null;
    if (typeof body?.batch_id !== 'string' || body.batch_id === '')
      throw new ProviderFailedError('SendGrid created a batch without a batch_id', {
        provider: 'sendgrid',
        operation: 'mail.batch.create',
      });
    return body.batch_id;
  }

  @Resilient('sendgrid')
  @Monitored('sendgrid', 'scheduled_sends.cancel')
  async cancelBatch(batchId: string): Promise<void> {
    await this.call('scheduled_sends.cancel', {
      method: 'POST',
      url: '/v3/user/scheduled_sends',
      body: { batch_id: batchId, status: 'cancel' },
    });
  }

  private async call(
    operation: string,
    request: { method: 'GET' | 'POST' | 'DELETE'; url: string; qs?: Record<string, number>; body?: object },
    notFoundIsDone = false,
  ): Promise<unknown> {
    try {
      const [, body] = (await this.client.request(request)) as [unknown, unknown];
      return body;
    } catch (error: unknown) {
      if (notFoundIsDone && (error as { code?: unknown }).code === 404) return null;
      throw toIntegrationError(error, operation);
    }
  }
}
