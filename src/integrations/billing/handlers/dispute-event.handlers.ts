import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { sqlFor } from '../../../core/database/sql-dialect';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { DurableEvents } from '../../../core/durable/durable-events';
import { PaymentRecords } from '../../payments/payment-records';
import { OnStripeEvent } from '../../payments/webhooks/on-stripe-event.decorator';
import { BillingDomainEvent, type PaymentDisputePayload } from '../billing-domain-events';
import { readDispute } from '../billing-objects';

/** Dispute statuses Stripe reports once a dispute is closed. */
const CLOSED = new Set(['won', 'lost', 'warning_closed']);

/**
 * Chargebacks: `charge.dispute.created` marks the payment `disputed`,
 * `charge.dispute.closed` records how it ended; each change publishes a
 * durable event (`payment.disputed` / `payment.dispute_closed`) in the same
 * transaction, then emits it in-process. A closed dispute is final: a
 * late `created` never reopens it.
 */
@Injectable()
export class DisputeEventHandlers {
  private readonly logger = new Logger(DisputeEventHandlers.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: PaymentRecords,
    private readonly transactions: TransactionRunner,
    private readonly durableEvents: DurableEvents,
    private readonly events: EventEmitter2,
  ) {}

  @OnStripeEvent(['charge.dispute.created', 'charge.dispute.closed'])
  async onDispute(event: Stripe.Event): Promise<void> {
    const dispute = readDispute(event.data.object);
    if (dispute?.paymentIntent == null) {
      this.logger.warn(`Event ${event.id} (${event.type}) names no payment intent; ignored`);
      return;
    }
    const closing = event.type === 'charge.dispute.closed';
    const status = closing ? (CLOSED.has(dispute.status) ? dispute.status : 'lost') : 'disputed';
    // A dispute may be the first we hear of an intent: record the payment (ownerless) like a refund would.
    const paymentId = await this.records.paymentIdForIntent({
      id: dispute.paymentIntent,
      amount: dispute.amount,
      currency: dispute.currency,
      description: null,
      captureMethod: null,
      receiptEmail: null,
      metadata: {},
    });
    const name = closing ? BillingDomainEvent.paymentDisputeClosed : BillingDomainEvent.paymentDisputed;
    await this.transactions.run(async (manager) => {
      const sql = sqlFor(this.dataSource, manager);
      const rows = closing
        ? await sql<{
            owner_id: string | null;
          }>`UPDATE payments SET dispute_status = ${status}, updated_at = CURRENT_TIMESTAMP
            WHERE id = ${paymentId} AND (dispute_status IS NULL OR dispute_status <> ${status}) RETURNING owner_id`
        : await sql<{
            owner_id: string | null;
          }>`UPDATE payments SET dispute_status = ${status}, updated_at = CURRENT_TIMESTAMP
            WHERE id = ${paymentId} AND dispute_status IS NULL RETURNING owner_id`;
      if (rows.length === 0) return;
      const changed: PaymentDisputePayload = {
        paymentId,
        stripeId: dispute.paymentIntent as string,
        ownerId: rows[0].owner_id,
        disputeId: dispute.id,
        status,
        amount: dispute.amount,
        currency: dispute.currency,
        reason: dispute.reason,
      };
      const recorded = this.durableEvents.hasConsumers(name)
        ? await this.durableEvents.publish(manager, name, `${dispute.id}:${status}`, changed)
        : 0;
      this.transactions.afterCommit(() => {
        if (recorded > 0) this.durableEvents.kick();
        this.emit(name, changed);
      });
    });
  }

  /** After the commit; a listener's failure is logged (reactions that must happen are durable consumers). */
  private emit(name: string, payload: PaymentDisputePayload): void {
    try {
      this.events.emit(name, payload);
    } catch (error) {
      this.logger.error({ err: error, event: name }, `A listener of ${name} failed`);
    }
  }
}
