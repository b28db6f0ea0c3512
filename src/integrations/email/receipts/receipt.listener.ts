import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { emailConfig } from '../../../config/email.config';
import { isEmailAddress } from '../dto/email-validators';
import { EmailsService } from '../emails.service';
import { PAYMENT_SUCCEEDED, type PaymentSucceededEvent, isPaymentSucceededEvent } from './payment-succeeded.event';

/** Owner of receipts whose payment event names none. */
export const RECEIPTS_OWNER = 'system:receipts';

/**
 * Queues a receipt (EMAIL_RECEIPTS_TEMPLATE_ID) to the customer when a
 * payment succeeds. Modules talk through the event, not imports. The
 * idempotency key `receipt:<paymentId>` makes a repeated event harmless.
 */
@Injectable()
export class ReceiptListener {
  private readonly logger = new Logger('Receipts');

  constructor(
    private readonly emails: EmailsService,
    @Inject(emailConfig.KEY) private readonly config: ConfigType<typeof emailConfig>,
  ) {}

  @OnEvent(PAYMENT_SUCCEEDED, { async: true, promisify: true })
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
    try {
      const row = await this.emails.queue(event.ownerId ?? RECEIPTS_OWNER, {
        kind: 'template',
        to: [event.customerEmail],
        templateId: templateId.toLowerCase(),
        templateData: receiptData(event),
        categories: ['receipt'],
        idempotencyKey: `receipt:${event.paymentId}`,
      });
      this.logger.log({ paymentId: event.paymentId, emailId: row.id }, 'Receipt queued');
    } catch (error: unknown) {
      // The emitter has no one to report to; the log is where this shows.
      this.logger.error({ paymentId: event.paymentId, err: error }, 'Receipt could not be queued');
    }
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
