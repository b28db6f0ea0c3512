import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { isUniqueViolation } from '../../core/database/driver-errors';
import { uuidv7 } from '../../core/database/ids';
import { ProviderRejectedError } from '../../core/errors/integration.error';
import { ProblemException } from '../../core/errors/problem.exception';
import { keysetPage, mapPage } from '../../core/http/pagination';
import { type Principal, ownerIdOf } from '../../core/security/principal';
import type {
  CreatePaymentIntentDto,
  CreateRefundDto,
  ListPaymentsQueryDto,
  PaymentDto,
  PaymentIntentCreatedDto,
  PaymentPageDto,
  RefundDto,
} from './dto/payment.dto';
import { CustomersService } from './customers.service';
import { PaymentEntity } from './entities/payment.entity';
import { PaymentStatusChangeEntity } from './entities/payment-status-change.entity';
import { RefundEntity } from './entities/refund.entity';
import { type GatewayIntent, InjectPaymentGateway, type PaymentGateway } from './payment-gateway.port';
import { PAYMENT_ID_METADATA_KEY, REFUND_ID_METADATA_KEY, outboundKey } from './payment-links';
import { fromIntentStatus, statusRank } from './payment-status';
import { PaymentStateStore } from './payment-state.store';
import { createdView, paymentView, refundView, summaryView } from './payment-views';

export interface CreateIntentResult {
  readonly body: PaymentIntentCreatedDto;
  /** True when an earlier request with this key produced the body. */
  readonly replayed: boolean;
}

/**
 * Payment intents and refunds for API callers. Our row is written before
 * Stripe is called (so its id can be the stable outbound idempotency key and
 * a webhook that outruns us finds it); status changes go through
 * `PaymentStateStore`, the same forward-only path the webhook handlers use.
 */
@Injectable()
export class PaymentsService {
  constructor(
    @InjectRepository(PaymentEntity) private readonly payments: Repository<PaymentEntity>,
    @InjectRepository(PaymentStatusChangeEntity) private readonly history: Repository<PaymentStatusChangeEntity>,
    @InjectRepository(RefundEntity) private readonly refunds: Repository<RefundEntity>,
    @InjectPaymentGateway() private readonly gateway: PaymentGateway,
    private readonly state: PaymentStateStore,
    private readonly customers: CustomersService,
  ) {}

  /**
   * Creates a payment intent once per (caller, idempotency key): the same key
   * and body return the stored result without calling Stripe again; the same
   * key with another body is a 409.
   */
  async createIntent(
    principal: Principal,
    dto: CreatePaymentIntentDto,
    idempotencyKey: string,
  ): Promise<CreateIntentResult> {
    const ownerId = ownerIdOf(principal);
    const requestHash = hashBody(dto);
    let payment = await this.payments.findOneBy({ ownerId, idempotencyKey });
    const replayed = payment !== null;
    if (payment === null) payment = await this.insertCreating(ownerId, dto, idempotencyKey, requestHash);
    if (payment.requestHash !== requestHash) {
      throw new ProblemException(409, 'This Idempotency-Key was already used with a different request body', {
        slug: 'idempotency-key-reused',
        title: 'Idempotency key reused',
      });
    }
    if (payment.stripeId !== null && payment.clientSecret !== null) return { body: createdView(payment), replayed };

    // First attempt, or an earlier one that failed before Stripe answered: the
    // outbound key is derived from our row, so Stripe replays rather than creating twice.
    const intent = await this.gateway.createIntent({
      amount: dto.amount,
      currency: dto.currency,
      description: dto.description,
      metadata: { ...(dto.metadata ?? {}), [PAYMENT_ID_METADATA_KEY]: payment.id },
      receiptEmail: dto.customerEmail,
      captureMethod: dto.captureMethod,
      customer: await this.customerFor(ownerId, dto),
      setupFutureUsage: dto.setupFutureUsage,
      idempotencyKey: outboundKey.createIntent(payment.id),
    });
    await this.payments.update({ id: payment.id }, { stripeId: intent.providerId, clientSecret: intent.clientSecret });
    await this.applyIntent(payment.id, intent, intent.created);
    return { body: createdView(await this.payments.findOneByOrFail({ id: payment.id })), replayed };
  }

  /**
   * The owner's customer for a new intent: created when the payment method is to be saved
   * (`setupFutureUsage` needs one); otherwise only an existing one is attached, so an
   * ordinary first payment costs no extra Stripe call.
   */
  private async customerFor(ownerId: string, dto: CreatePaymentIntentDto): Promise<string | undefined> {
    if (dto.setupFutureUsage !== undefined) return (await this.customers.forOwner(ownerId)).stripeId;
    return (await this.customers.existing(ownerId))?.stripeId;
  }

  async get(principal: Principal, id: string): Promise<PaymentDto> {
    const payment = await this.findVisible(principal, id);
    const [history, refunds] = await Promise.all([
      this.history.find({ where: { paymentId: payment.id }, order: { version: 'ASC' } }),
      this.refunds.find({ where: { paymentId: payment.id }, order: { id: 'ASC' } }),
    ]);
    return paymentView(payment, history, refunds);
  }

  /** Newest first, one page at a time (`core/http/pagination`). */
  async list(principal: Principal, query: ListPaymentsQueryDto): Promise<PaymentPageDto> {
    const qb = this.payments.createQueryBuilder('p');
    if (!principal.admin) qb.andWhere('p.owner_id = :ownerId', { ownerId: ownerIdOf(principal) });
    if (query.status !== undefined) qb.andWhere('p.status = :status', { status: query.status });
    return mapPage(await keysetPage(qb, query, { list: 'payments' }), summaryView);
  }

  async capture(principal: Principal, id: string): Promise<PaymentDto> {
    const payment = await this.withIntent(principal, id, 'captured');
    const intent = await this.gateway.captureIntent({
      providerId: payment.stripeId,
      idempotencyKey: outboundKey.capture(payment.id),
    });
    await this.applyIntent(payment.id, intent, nowSeconds());
    return this.get(principal, id);
  }

  async cancel(principal: Principal, id: string): Promise<PaymentDto> {
    const payment = await this.withIntent(principal, id, 'canceled');
    const intent = await this.gateway.cancelIntent({
      providerId: payment.stripeId,
      idempotencyKey: outboundKey.cancel(payment.id),
    });
    await this.applyIntent(payment.id, intent, nowSeconds());
    return this.get(principal, id);
  }

  /** Refunds part or all of what was captured; refused (422) beyond what is left. */
  async refund(principal: Principal, id: string, dto: CreateRefundDto): Promise<RefundDto> {
    const payment = await this.findVisible(principal, id);
    if (payment.stripeId === null || payment.status !== 'succeeded') {
      throw new ProblemException(409, `Only a succeeded payment can be refunded (this one is ${payment.status})`, {
        slug: 'payment-not-refundable',
        title: 'Payment not refundable',
      });
    }
    const refundable = payment.amountReceived - (await this.state.committedRefunds(payment.id));
    const amount = dto.amount ?? refundable;
    if (amount <= 0 || amount > refundable) {
      throw new ProblemException(
        422,
        `A refund of ${amount} would exceed what is left to refund (${Math.max(refundable, 0)})`,
        {
          slug: 'refund-exceeds-captured',
          title: 'Refund exceeds the captured amount',
          extensions: { refundable: Math.max(refundable, 0), captured: payment.amountReceived },
        },
      );
    }
    const refund = this.refunds.create({
      id: uuidv7(),
      paymentId: payment.id,
      stripeId: null,
      amount,
      currency: payment.currency,
      status: 'creating',
      reason: dto.reason ?? null,
    });
    await this.refunds.insert(refund);
    try {
      const result = await this.gateway.createRefund({
        paymentIntentId: payment.stripeId,
        amount,
        reason: dto.reason,
        metadata: { [PAYMENT_ID_METADATA_KEY]: payment.id, [REFUND_ID_METADATA_KEY]: refund.id },
        idempotencyKey: outboundKey.refund(refund.id),
      });
      await this.refunds.update({ id: refund.id }, { stripeId: result.providerId });
      await this.state.applyRefundStatus(refund.id, result.status);
    } catch (error) {
      // A refusal is final; anything else may still have reached Stripe, and
      // the refund.* webhook (linked by metadata) settles the row.
      if (error instanceof ProviderRejectedError) await this.state.applyRefundStatus(refund.id, 'failed');
      throw error;
    }
    await this.state.raiseAmountRefunded(payment.id, await this.state.settledRefunds(payment.id));
    return refundView(await this.refunds.findOneByOrFail({ id: refund.id }));
  }

  private async insertCreating(
    ownerId: string,
    dto: CreatePaymentIntentDto,
    idempotencyKey: string,
    requestHash: string,
  ): Promise<PaymentEntity> {
    const payment = this.payments.create({
      id: uuidv7(),
      ownerId,
      stripeId: null,
      amount: dto.amount,
      currency: dto.currency,
      status: 'creating',
      statusRank: statusRank('creating'),
      statusVersion: 0,
      amountReceived: 0,
      amountRefunded: 0,
      description: dto.description ?? null,
      customerEmail: dto.customerEmail ?? null,
      captureMethod: dto.captureMethod ?? null,
      metadata: dto.metadata ?? {},
      clientSecret: null,
      idempotencyKey,
      requestHash,
      lastEventCreated: null,
    });
    try {
      await this.payments.insert(payment);
      return payment;
    } catch (error) {
      // A concurrent request with the same key won the insert: use its row.
      if (!isUniqueViolation(error)) throw error;
      return this.payments.findOneByOrFail({ ownerId, idempotencyKey });
    }
  }

  private async applyIntent(paymentId: string, intent: GatewayIntent, at: number): Promise<void> {
    const status = fromIntentStatus(intent.status);
    if (status !== undefined)
      await this.state.applyStatus(paymentId, { status, at, source: 'api', amountReceived: intent.amountReceived });
    else await this.state.raiseAmountReceived(paymentId, intent.amountReceived);
  }

  /** A visible payment that has a Stripe intent and is not already `done`. */
  private async withIntent(
    principal: Principal,
    id: string,
    done: 'captured' | 'canceled',
  ): Promise<PaymentEntity & { stripeId: string }> {
    const payment = await this.findVisible(principal, id);
    if (payment.stripeId === null) {
      throw new ProblemException(409, 'The payment has no Stripe intent yet (its creation did not complete)', {
        slug: 'payment-not-created',
        title: 'Payment not created',
      });
    }
    if (payment.status === 'succeeded' || payment.status === 'canceled') {
      throw new ProblemException(409, `The payment cannot be ${done}: it is already ${payment.status}`, {
        slug: 'payment-final',
        title: 'Payment already final',
      });
    }
    return payment as PaymentEntity & { stripeId: string };
  }

  /** Own payments only, unless admin; another owner's id answers 404 like an unknown one. */
  private async findVisible(principal: Principal, id: string): Promise<PaymentEntity> {
    const payment = await this.payments.findOneBy(principal.admin ? { id } : { id, ownerId: ownerIdOf(principal) });
    if (payment === null)
      throw new ProblemException(404, `No payment ${id}`, { slug: 'not-found', title: 'Not Found' });
    return payment;
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Canonical body hash: keys sorted at every level, so key order does not matter. */
export function hashBody(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
