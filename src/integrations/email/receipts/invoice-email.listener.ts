import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { emailConfig } from '../../../config/email.config';
import { OnDurableEvent } from '../../../core/durable/on-durable-event.decorator';
import { isEmailAddress } from '../dto/email-validators';
import { EmailsService } from '../emails.service';

/** Event names billing publishes durably for invoices the customer must act on. */
export const INVOICE_PAYMENT_FAILED = 'invoice.payment_failed';
export const INVOICE_ACTION_REQUIRED = 'invoice.payment_action_required';

/** Owner of invoice mails whose event names none. */
export const INVOICES_OWNER = 'system:invoices';

interface InvoiceEvent {
  readonly eventId: string;
  readonly invoiceId: string;
  readonly ownerId?: string | null;
  readonly customerEmail?: string | null;
  readonly hostedInvoiceUrl?: string | null;
  readonly amountDue?: number;
  readonly currency?: string;
}

function isInvoiceEvent(value: unknown): value is InvoiceEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.eventId === 'string' && typeof v.invoiceId === 'string';
}

/**
 * Tells the customer, with the hosted invoice link, when an invoice payment
 * failed or needs their action (EMAIL_INVOICE_TEMPLATE_ID). Durable
 * consumers of billing's events; the idempotency key `invoice:<event id>`
 * makes a repeated delivery harmless.
 */
@Injectable()
export class InvoiceEmailListener {
  private readonly logger = new Logger('InvoiceEmails');

  constructor(
    private readonly emails: EmailsService,
    @Inject(emailConfig.KEY) private readonly config: ConfigType<typeof emailConfig>,
  ) {}

  @OnDurableEvent(INVOICE_PAYMENT_FAILED)
  onPaymentFailed(event: unknown): Promise<void> {
    return this.send(event, 'payment_failed');
  }

  @OnDurableEvent(INVOICE_ACTION_REQUIRED)
  onActionRequired(event: unknown): Promise<void> {
    return this.send(event, 'action_required');
  }

  private async send(event: unknown, reason: 'payment_failed' | 'action_required'): Promise<void> {
    const templateId = this.config.invoiceTemplateId;
    if (templateId === undefined) return;
    if (!isInvoiceEvent(event) || !isEmailAddress(event.customerEmail) || !event.hostedInvoiceUrl) {
      this.logger.log('Invoice event without a customer email or hosted invoice link: no mail');
      return;
    }
    // A failure throws: the durable queue retries it with backoff.
    const row = await this.emails.queue(event.ownerId ?? INVOICES_OWNER, {
      kind: 'template',
      to: [event.customerEmail],
      templateId: templateId.toLowerCase(),
      templateData: {
        reason,
        invoiceId: event.invoiceId,
        hostedInvoiceUrl: event.hostedInvoiceUrl,
        amountDue: event.amountDue ?? 0,
        currency: (event.currency ?? '').toUpperCase(),
      },
      categories: ['invoice'],
      idempotencyKey: `invoice:${event.eventId}`,
    });
    this.logger.log({ invoiceId: event.invoiceId, emailId: row.id, reason }, 'Invoice email queued');
  }
}
