import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, type Repository } from 'typeorm';
import { uuidv7 } from '../../core/database/ids';
import { sqlFor } from '../../core/database/sql-dialect';
import { TransactionRunner } from '../../core/database/transaction-runner';
import { ProviderFailedError } from '../../core/errors/integration.error';
import { ProblemException } from '../../core/errors/problem.exception';
import { ValidationProblemException } from '../../core/errors/validation-problem.exception';
import { type Principal, ownerIdOf } from '../../core/security/principal';
import { CustomersService } from '../payments/customers.service';
import { hashBody } from '../payments/payments.service';
import { InjectBillingGateway, type BillingGateway } from './billing-gateway.port';
import { billingKey } from './billing-links';
import type { CheckoutSessionSnapshot } from './billing-objects';
import type {
  CheckoutSessionCreatedDto,
  CreateCheckoutSessionDto,
  CreatePortalSessionDto,
  PortalSessionDto,
} from './dto/billing.dto';
import { CheckoutSessionEntity } from './entities/checkout-session.entity';
import { RedirectUrlsPolicy } from './redirect-urls.policy';

/** How far along a session is: status first, then payment status (its SQL twin is in `applyEvent`). */
function sessionRank(status: string, paymentStatus: string | null): number {
  const done = status === 'complete' || status === 'expired' ? 2 : 0;
  return done + (paymentStatus === 'paid' || paymentStatus === 'no_payment_required' ? 1 : 0);
}

export interface CheckoutResult {
  readonly body: CheckoutSessionCreatedDto;
  readonly replayed: boolean;
}

/**
 * Checkout and portal sessions for the caller's own customer. A Checkout
 * Session is created once per (caller, Idempotency-Key), like payment
 * intents: our row first (its id is the outbound key and the session's
 * `client_reference_id`), then Stripe; `checkout.session.*` keep its state.
 */
@Injectable()
export class CheckoutService {
  constructor(
    @InjectRepository(CheckoutSessionEntity) private readonly sessions: Repository<CheckoutSessionEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    @InjectBillingGateway() private readonly gateway: BillingGateway,
    private readonly customers: CustomersService,
    private readonly redirects: RedirectUrlsPolicy,
  ) {}

  async create(principal: Principal, dto: CreateCheckoutSessionDto, idempotencyKey: string): Promise<CheckoutResult> {
    this.validate(dto);
    const ownerId = ownerIdOf(principal);
    const requestHash = hashBody(dto);
    let row = await this.sessions.findOneBy({ ownerId, idempotencyKey });
    const replayed = row !== null;
    row ??= await this.insertCreating(ownerId, dto.mode, idempotencyKey, requestHash);
    if (row.requestHash !== requestHash) {
      throw new ProblemException(409, 'This Idempotency-Key was already used with a different request body', {
        slug: 'idempotency-key-reused',
        title: 'Idempotency key reused',
      });
    }
    if (row.stripeId !== null && row.url !== null) return { body: { id: row.stripeId, url: row.url }, replayed };

    const customer = await this.customers.forOwner(ownerId);
    const session = await this.gateway.createCheckoutSession({
      customer: customer.stripeId,
      mode: dto.mode,
      items: dto.items ?? [],
      successUrl: dto.successUrl,
      cancelUrl: dto.cancelUrl,
      trialDays: dto.trialDays,
      allowPromotionCodes: dto.allowPromotionCodes,
      reference: row.id,
      idempotencyKey: billingKey.checkout(row.id),
    });
    if (session.url === null)
      throw new ProviderFailedError(`Stripe returned Checkout Session ${session.id} without a url`, {
        provider: 'stripe',
        operation: 'checkout.sessions.create',
        retryable: false,
      });
    // Only a row still `creating` takes Stripe's first answer: a webhook may already have moved it on.
    await this.transactions.write(
      (manager) => sqlFor(this.dataSource, manager)`UPDATE checkout_sessions
        SET stripe_id = ${session.id}, url = ${session.url},
            status = CASE WHEN status = 'creating' THEN ${session.status} ELSE status END,
            payment_status = CASE WHEN status = 'creating' THEN ${session.paymentStatus} ELSE payment_status END,
            updated_at = CURRENT_TIMESTAMP
        WHERE id = ${row.id}`,
    );
    return { body: { id: session.id, url: session.url }, replayed };
  }

  async portal(principal: Principal, dto: CreatePortalSessionDto): Promise<PortalSessionDto> {
    this.redirects.assertAllowed({ returnUrl: dto.returnUrl });
    const customer = await this.customers.forOwner(ownerIdOf(principal));
    return this.gateway.createPortalSession({ customer: customer.stripeId, returnUrl: dto.returnUrl });
  }

  /**
   * A `checkout.session.*` event for one of our sessions: the newest event
   * wins; in the same second the one further along wins (`open` <
   * `complete`/`expired`, `unpaid` < `paid`), since a session only moves
   * forward. False for sessions Portico did not create.
   */
  async applyEvent(session: CheckoutSessionSnapshot, reference: string | null, created: number): Promise<boolean> {
    const rank = sessionRank(session.status, session.paymentStatus);
    const rows = await this.transactions.write(
      (manager) => sqlFor(this.dataSource, manager)<{ id: string }>`UPDATE checkout_sessions
        SET stripe_id = ${session.id}, status = ${session.status}, payment_status = ${session.paymentStatus},
            subscription_id = ${session.subscription}, last_event_created = ${created}, updated_at = CURRENT_TIMESTAMP
        WHERE (stripe_id = ${session.id} OR (stripe_id IS NULL AND id = ${reference ?? ''}))
          AND (last_event_created IS NULL OR last_event_created < ${created}
            OR (last_event_created = ${created}
              AND (CASE WHEN status IN ('complete', 'expired') THEN 2 ELSE 0 END)
                + (CASE WHEN payment_status IN ('paid', 'no_payment_required') THEN 1 ELSE 0 END) <= ${rank}))
        RETURNING id`,
    );
    return rows.length > 0;
  }

  private validate(dto: CreateCheckoutSessionDto): void {
    const items = dto.items ?? [];
    const problems = [];
    if (dto.mode !== 'setup' && items.length === 0)
      problems.push({ field: 'items', message: `items are required in ${dto.mode} mode` });
    if (dto.mode === 'setup' && items.length > 0)
      problems.push({ field: 'items', message: 'items are not allowed in setup mode' });
    if (dto.trialDays !== undefined && dto.mode !== 'subscription')
      problems.push({ field: 'trialDays', message: 'trialDays is only allowed in subscription mode' });
    if (problems.length > 0) throw new ValidationProblemException(problems);
    this.redirects.assertAllowed({ successUrl: dto.successUrl, cancelUrl: dto.cancelUrl });
  }

  private async insertCreating(
    ownerId: string,
    mode: string,
    idempotencyKey: string,
    requestHash: string,
  ): Promise<CheckoutSessionEntity> {
    const row = this.sessions.create({
      id: uuidv7(),
      ownerId,
      stripeId: null,
      mode,
      status: 'creating',
      paymentStatus: null,
      url: null,
      subscriptionId: null,
      idempotencyKey,
      requestHash,
      lastEventCreated: null,
    });
    try {
      await this.transactions.write((manager) => manager.insert(CheckoutSessionEntity, row));
      return row;
    } catch (error) {
      // A concurrent request with the same key won the insert: use its row.
      if (!(error instanceof QueryFailedError)) throw error;
      const winner = await this.sessions.findOneBy({ ownerId, idempotencyKey });
      if (winner === null) throw error;
      return winner;
    }
  }
}
