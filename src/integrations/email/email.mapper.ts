import type { EmailDetailView, EmailSummaryView } from './dto/email.views';
import type { EmailEvent } from './entities/email-event.entity';
import type { EmailMessage } from './entities/email-message.entity';
import type { EmailStatus } from './email-status';

const UNSENT: ReadonlySet<string> = new Set(['queued', 'sending', 'failed']);

/**
 * The status the API shows: a dead-lettered row is `failed`; a queued row
 * the outbox has claimed is `sending` (derived, so sending costs no write).
 */
export function apiStatusOf(row: EmailMessage): EmailStatus {
  // Dead before SendGrid took it; a message SendGrid reported on keeps that status.
  if (row.status === 'dead' && UNSENT.has(row.emailStatus)) return 'failed';
  if (row.status === 'processing' && row.emailStatus === 'queued') return 'sending';
  return row.emailStatus;
}

export function toSummaryView(row: EmailMessage): EmailSummaryView {
  return {
    id: row.id,
    status: apiStatusOf(row),
    kind: row.kind,
    to: row.to,
    subject: row.subject,
    templateId: row.templateId,
    providerMessageId: row.providerMessageId,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}

export function toDetailView(row: EmailMessage, events: readonly EmailEvent[]): EmailDetailView {
  // Accepted first; then everything else by time (SendGrid's event times have one-second resolution).
  const history = [
    { status: 'queued' as EmailStatus, at: row.createdAt.toISOString() },
    ...[
      ...events.map((event) => ({
        status: event.status,
        at: event.occurredAt.toISOString(),
        ...(event.detail ? { detail: event.detail } : {}),
      })),
      // `sent` is not stored as an event (one write less per message): sent_at says it.
      ...(row.sentAt
        ? [
            {
              status: 'sent' as EmailStatus,
              at: row.sentAt.toISOString(),
              detail: { providerMessageId: row.providerMessageId, transport: row.transport },
            },
          ]
        : []),
    ].sort((a, b) => a.at.localeCompare(b.at)),
  ];
  const status = apiStatusOf(row);
  if (status === 'failed' && !events.some((e) => e.status === 'failed')) {
    history.push({
      status: 'failed',
      at: (row.processedAt ?? row.updatedAt).toISOString(),
      ...(row.lastError ? { detail: { error: row.lastError } } : {}),
    });
  }
  return {
    ...toSummaryView(row),
    from: row.fromName ? { email: row.fromEmail, name: row.fromName } : { email: row.fromEmail },
    replyTo: row.replyTo,
    cc: row.cc ?? [],
    bcc: row.bcc ?? [],
    originalRecipients: row.originalRecipients,
    text: row.text,
    html: row.html,
    dynamicTemplateData: row.templateData,
    categories: row.categories ?? [],
    sendAt: row.sendAt?.toISOString() ?? null,
    transport: row.transport,
    asmGroupId: row.asmGroupId,
    asmGroupsToDisplay: row.asmGroupsToDisplay ?? [],
    bypassGroupUnsubscribes: row.bypassGroupUnsubscribes,
    attachments: (row.attachments ?? []).map((a) => ({ ...a })),
    history,
  };
}
