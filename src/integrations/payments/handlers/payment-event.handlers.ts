import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { PAYMENT_ID_METADATA_KEY } from '../payment-links';
import { PaymentRecords } from '../payment-records';
import type { PaymentStatus } from '../payment-status';
import { PaymentStateStore } from '../payment-state.store';
import { OnStripeEvent } from '../webhooks/on-stripe-event.decorator';
import type { StripeEventContext } from '../webhooks/stripe-event.types';
import { readCharge, readIntent, readRefund } from './stripe-objects';

const REFUND_WAIT_ATTEMPTS = 4;

const INTENT_STATUS_BY_EVENT: Readonly<Partial<Record<Stripe.Event.Type, PaymentStatus>>> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'canceled',
  'payment_intent.processing': 'processing',
  'payment_intent.requires_action': 'requires_action',
  'payment_intent.amount_capturable_updated': 'requires_capture',
};

/**
 * Built-in handlers: keep `payments` and `refunds` in step with Stripe.
 * Idempotent — a replayed or older event changes nothing (see PaymentStateStore).
 */
@Injectable()
export class PaymentEventHandlers {
  private readonly logger = new Logger(PaymentEventHandlers.name);

  constructor(
    private readonly records: PaymentRecords,
    private readonly state: PaymentStateStore,
    private readonly transactions: TransactionRunner,
  ) {}

  @OnStripeEvent(Object.keys(INTENT_STATUS_BY_EVENT) as [Stripe.Event.Type, ...Stripe.Event.Type[]])
  async onIntentEvent(event: Stripe.Event, context: StripeEventContext): Promise<void> {
    const intent = readIntent(event.data.object);
    const status = INTENT_STATUS_BY_EVENT[event.type];
    if (intent === undefined || status === undefined) {
      this.logger.warn(`Event ${event.id} (${event.type}) has no payment intent; ignored`);
      return;
    }
    const update = {
      status,
      at: event.created,
      source: context.source,
      eventId: event.id,
      amountReceived: intent.amountReceived,
    };
    // At most one read and one write on the common paths. Each step is atomic and the sequence idempotent (a retry
    // after a crash between two finds the row and applies the status), so a batch is enough: one commit on SQLite,
    // and on PostgreSQL no transaction round trips.
    await this.transactions.batch(async () => {
      if (intent.metadata[PAYMENT_ID_METADATA_KEY] === undefined) {
        // Made outside Portico (Dashboard, another system): its row, if it has one, is found by Stripe id only. So
        // adopting comes first: a new intent is recorded at this event's status in one statement, and on PostgreSQL
        // the same statement finds an adopted one's row (SQLite reads it next).
        const adoption = await this.state.adoptIntent(intent, update);
        if (adoption.adopted !== undefined) return;
        await this.state.applyStatus(adoption.existing ?? (await this.records.paymentIdForIntent(intent)), update);
        return;
      }
      // Ours: its event may have outrun our own write of the Stripe id, so the row is looked up (and linked) first.
      const known = await this.records.knownPaymentId(intent);
      if (known === undefined && (await this.state.adoptIntent(intent, update)).adopted !== undefined) return;
      await this.state.applyStatus(known ?? (await this.records.paymentIdForIntent(intent)), update);
    });
  }

  /** Events arrive in any order: a refund may be the first we hear of an intent, so it records the payment too. */
  @OnStripeEvent('charge.refunded')
  async onChargeRefunded(event: Stripe.Event): Promise<void> {
    const charge = readCharge(event.data.object);
    if (charge?.paymentIntent == null) return;
    const paymentId = await this.records.paymentIdForIntent({
      ...charge,
      id: charge.paymentIntent,
      captureMethod: null,
    });
    await this.state.raiseAmountRefunded(paymentId, charge.amountRefunded);
  }

  @OnStripeEvent(['refund.created', 'refund.updated', 'refund.failed'])
  async onRefundEvent(event: Stripe.Event, context: StripeEventContext): Promise<void> {
    const refund = readRefund(event.data.object);
    if (refund === undefined) return;
    const link = await this.records.refundIdFor(refund);
    if (link === undefined) {
      // The intent's own events may still be on their way: retry a few times, then leave it to charge.refunded.
      if (context.attempt < REFUND_WAIT_ATTEMPTS)
        throw new Error(`refund ${refund.id}: payment ${refund.paymentIntent ?? '?'} not known yet`);
      this.logger.warn(`Event ${event.id}: refund ${refund.id} belongs to no payment we know; ignored`);
      return;
    }
    await this.state.applyRefundStatus(link.refundId, refund.status, refund.id);
    if (refund.status === 'succeeded' || refund.status === 'pending') {
      await this.state.raiseAmountRefunded(link.paymentId, await this.state.settledRefunds(link.paymentId));
    }
  }
}
