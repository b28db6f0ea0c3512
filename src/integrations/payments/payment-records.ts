import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7 } from '../../core/database/ids';
import { RefundEntity } from './entities/refund.entity';
import type { RefundSnapshot } from './handlers/stripe-objects';
import { PAYMENT_ID_METADATA_KEY, REFUND_ID_METADATA_KEY } from './payment-links';
import { sqlFor } from '../../core/database/sql-dialect';
import { TransactionRunner } from '../../core/database/transaction-runner';
import { statusRank } from './payment-status';

/**
 * Finds (or adopts) our rows for Stripe objects seen in events. An intent we
 * created is found by its Stripe id, or — when its event outran our own
 * write — by the `portico_payment_id` we put in its metadata; an intent
 * created elsewhere (dashboard, another system) is recorded without owner.
 */
/** What an event tells about an intent: from the intent itself, or from one of its charges. */
export interface IntentReference {
  readonly id: string;
  readonly amount: number;
  readonly currency: string;
  readonly description: string | null;
  readonly captureMethod: string | null;
  readonly receiptEmail: string | null;
  readonly metadata: Record<string, string>;
}

@Injectable()
export class PaymentRecords {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * Our payment for an intent, when we have one: found by its Stripe id, or
   * linked now through the `portico_payment_id` in its metadata (an intent
   * we created whose event outran our own write). Undefined for an intent
   * we never saw. Found: one read.
   */
  async knownPaymentId(intent: IntentReference): Promise<string | undefined> {
    const found = await this.paymentIdForStripeId(intent.id, this.transactions.manager());
    if (found !== undefined) return found;
    const ours = intent.metadata[PAYMENT_ID_METADATA_KEY];
    if (ours === undefined) return undefined;
    return this.transactions.run(async (manager) => {
      await sqlFor(
        this.dataSource,
        manager,
      )`UPDATE payments SET stripe_id = ${intent.id} WHERE id = ${ours} AND stripe_id IS NULL`;
      return this.existing(intent.id, manager);
    });
  }

  /**
   * Our payment for an intent seen in an event (its own, or a charge's),
   * created ownerless when we never saw it. Not found: one transaction, or
   * part of the caller's (a handler that goes on to change the payment's status).
   */
  async paymentIdForIntent(intent: IntentReference): Promise<string> {
    const known = await this.knownPaymentId(intent);
    if (known !== undefined) return known;
    return this.transactions.run(async (manager) => {
      const inserted = await sqlFor(this.dataSource, manager)<{ id: string }>`INSERT INTO payments
        (id, owner_id, stripe_id, amount, currency, status, status_rank, status_version, amount_received, amount_refunded, description, customer_email, capture_method, metadata)
        VALUES (${uuidv7()}, ${null}, ${intent.id}, ${intent.amount}, ${intent.currency}, ${'requires_payment_method'}, ${statusRank('requires_payment_method')}, ${0}, ${0}, ${0},
          ${intent.description}, ${intent.receiptEmail}, ${intent.captureMethod}, ${JSON.stringify(intent.metadata)})
        ON CONFLICT (stripe_id) DO NOTHING RETURNING id`;
      return inserted.length === 1 ? inserted[0].id : this.existing(intent.id, manager);
    });
  }

  /** The row another writer made (or we just linked); its absence is a bug, not a state to handle. */
  private async existing(stripeId: string, manager: EntityManager): Promise<string> {
    const linked = await this.paymentIdForStripeId(stripeId, manager);
    if (linked === undefined) throw new Error(`payment row for ${stripeId} could not be found or created`);
    return linked;
  }

  async paymentIdForStripeId(stripeId: string, manager = this.dataSource.manager): Promise<string | undefined> {
    const rows = await sqlFor(this.dataSource, manager)<{
      id: string;
    }>`SELECT id FROM payments WHERE stripe_id = ${stripeId}`;
    return rows[0]?.id;
  }

  /** Our refund row for a Stripe refund (linked by id or metadata; recorded when created elsewhere). Undefined when its payment is unknown. */
  async refundIdFor(refund: RefundSnapshot): Promise<{ refundId: string; paymentId: string } | undefined> {
    const repo = this.dataSource.getRepository(RefundEntity);
    const byStripe = await repo.findOne({ where: { stripeId: refund.id }, select: { id: true, paymentId: true } });
    if (byStripe) return { refundId: byStripe.id, paymentId: byStripe.paymentId };
    const ours = refund.metadata[REFUND_ID_METADATA_KEY];
    if (ours !== undefined) {
      const row = await repo.findOne({ where: { id: ours }, select: { id: true, paymentId: true } });
      if (row) return { refundId: row.id, paymentId: row.paymentId };
    }
    if (refund.paymentIntent === null) return undefined;
    const paymentId = await this.paymentIdForStripeId(refund.paymentIntent);
    if (paymentId === undefined) return undefined;
    await this.transactions.write((manager) =>
      manager
        .createQueryBuilder(RefundEntity, 'r')
        .insert()
        .values({
          id: uuidv7(),
          paymentId,
          stripeId: refund.id,
          amount: refund.amount,
          currency: refund.currency,
          status: 'pending',
          reason: refund.reason,
        })
        .orIgnore()
        .execute(),
    );
    const row = await repo.findOne({ where: { stripeId: refund.id }, select: { id: true, paymentId: true } });
    return row ? { refundId: row.id, paymentId: row.paymentId } : undefined;
  }
}
