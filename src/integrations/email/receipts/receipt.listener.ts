import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { emailConfig } from '../../../config/email.config';
import { OnDurableEvent } from '../../../core/durable/on-durable-event.decorator';
import { isEmailAddress } from '../dto/email-validators';
import { EmailsService } from '../emails.service';
import { PAYMENT_SUCCEEDED, type PaymentSucceededEvent, isPaymentSucceededEvent } from './payment-succeeded.event';

/** Owner of receipts whose payment event names none. */
export const RECEIPTS_OWNER = 'system:receipts';

/**
 * Queues a receipt (EMAIL_RECEIPTS_TEMPLATE_ID) to the customer when a
 * payment succeeds. Modules talk through the event, not imports. A durable
 * consumer: payments records the event for it in the same transaction as
 * the status change, and it is delivered until it succeeds (a failure to
 * queue is retried, not lost). The idempotency key `receipt:<paymentId>`
 * makes a repeated delivery harmless.
 */
@Injectable()
export class ReceiptListener {
  private readonly logger = new Logger('Receipts');

  constructor(
    private readonly emails: EmailsService,
    @Inject(emailConfig.KEY) private readonly config: ConfigType<typeof emailConfig>,
  ) {}

  /** Whether a receipt can go out for `event`: receipts are on and it names a customer address. */
  sendsReceiptFor(event: object): boolean {
    return (
      this.config.receiptsTemplateId !== undefined &&
      isPaymentSucceededEvent(event) &&
      isEmailAddress(event.customerEmail)
    );
  }

  // Without a template or an address there is no receipt: no durable row either.
  @OnDurableEvent(PAYMENT_SUCCEEDED, { when: (receipts: ReceiptListener, event) => receipts.sendsReceiptFor(event) })
  async onPaymentSucceeded(event: unknown): Promise<void> {
    const templateId = this.config.receiptsTemplateId;
    if (templateId === undefined) return;
    if (!isPaymentSucceededEvent(event)) {
      this.logger.warn('payment.succeeded without paymentId, amount and currency: no receipt');
      return;
    }
    if (!isEmailAddress(event.customerEmail)) {
      this.logger.log({ paymentId: event.paymentId }, 'payment.succeeded without a customer email: no receipt');
      return;
    }
    // A failure throws: the durable queue retries it with backoff.
    const row = await this.emails.queue(event.ownerId ?? RECEIPTS_OWNER, {
      kind: 'template',
      to: [event.customerEmail],
      templateId: templateId.toLowerCase(),
      templateData: receiptData(event),
      categories: ['receipt'],
      idempotencyKey: `receipt:${event.paymentId}`,
    });
    this.logger.log({ paymentId: event.paymentId, emailId: row.id }, 'Receipt queued');
  }
}

/** Template data: raw and formatted amount (minor units → "12.34 EUR" style by the currency's own digits). */
export function receiptData(event: PaymentSucceededEvent): Record<string, unknown> {
  const currency = event.currency.toUpperCase();
  let formatted: string;
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formatted = format.format(event.amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    formatted = `${(event.amount / 100).toFixed(2)} ${currency}`;
  }
  return {
    paymentId: event.paymentId,
    amount: event.amount,
    currency,
    amountFormatted: formatted,
    ...(event.description ? { description: event.description } : {}),
  };
}
