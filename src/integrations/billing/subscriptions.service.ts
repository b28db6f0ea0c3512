import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { uuidv7 } from '../../core/database/ids';
import { ProblemException } from '../../core/errors/problem.exception';
import { keysetPage, mapPage } from '../../core/http/pagination';
import { type Principal, ownerIdOf } from '../../core/security/principal';
import { InjectBillingGateway, type BillingGateway } from './billing-gateway.port';
import { billingKey } from './billing-links';
import { BillingMirror } from './billing-mirror';
import type { SubscriptionSnapshot } from './billing-objects';
import { subscriptionView } from './billing-views';
import type {
  ChangePriceDto,
  ListSubscriptionsQueryDto,
  SubscriptionDto,
  SubscriptionPageDto,
} from './dto/billing.dto';
import { SubscriptionEntity } from './entities/subscription.entity';

const ENDED = new Set(['canceled', 'incomplete_expired']);

/**
 * Subscriptions for API callers: the owner's own (admins: all; another
 * owner's id is 404). Changes go to Stripe first; its answer is stored
 * through the mirror as of now, so the caller sees the result at once and
 * the webhooks that follow change nothing or something newer.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @InjectRepository(SubscriptionEntity) private readonly subscriptions: Repository<SubscriptionEntity>,
    @InjectBillingGateway() private readonly gateway: BillingGateway,
    private readonly mirror: BillingMirror,
  ) {}

  async list(principal: Principal, query: ListSubscriptionsQueryDto): Promise<SubscriptionPageDto> {
    const qb = this.subscriptions.createQueryBuilder('s');
    if (!principal.admin) qb.andWhere('s.owner_id = :ownerId', { ownerId: ownerIdOf(principal) });
    return mapPage(await keysetPage(qb, query, { list: 'subscriptions' }), subscriptionView);
  }

  /** `atPeriodEnd` (default): stop renewing; otherwise end it now. */
  async cancel(principal: Principal, id: string, atPeriodEnd: boolean): Promise<SubscriptionDto> {
    const row = await this.findVisible(principal, id);
    if (ENDED.has(row.status)) throw notChangeable(row, 'canceled');
    const key = billingKey.subscription(atPeriodEnd ? 'cancel-at-period-end' : 'cancel', uuidv7());
    const result = atPeriodEnd
      ? await this.gateway.updateSubscription({
          providerId: row.stripeId,
          cancelAtPeriodEnd: true,
          idempotencyKey: key,
        })
      : await this.gateway.cancelSubscription({ providerId: row.stripeId, idempotencyKey: key });
    return this.stored(result);
  }

  /** Resumes a paused subscription, or takes back a cancellation at period end. */
  async resume(principal: Principal, id: string): Promise<SubscriptionDto> {
    const row = await this.findVisible(principal, id);
    const key = billingKey.subscription('resume', uuidv7());
    if (row.status === 'paused')
      return this.stored(await this.gateway.resumeSubscription({ providerId: row.stripeId, idempotencyKey: key }));
    if (row.cancelAtPeriodEnd && !ENDED.has(row.status)) {
      return this.stored(
        await this.gateway.updateSubscription({
          providerId: row.stripeId,
          cancelAtPeriodEnd: false,
          idempotencyKey: key,
        }),
      );
    }
    throw new ProblemException(
      409,
      `Only a paused subscription or one cancelled at period end can be resumed (this one is ${row.status})`,
      { slug: 'subscription-not-resumable', title: 'Subscription not resumable' },
    );
  }

  /** Moves the subscription's (first) item to another price. */
  async changePrice(principal: Principal, id: string, dto: ChangePriceDto): Promise<SubscriptionDto> {
    const row = await this.findVisible(principal, id);
    if (ENDED.has(row.status)) throw notChangeable(row, 'changed');
    const item = row.items[0];
    if (item === undefined) throw notChangeable(row, 'changed');
    const result = await this.gateway.updateSubscription({
      providerId: row.stripeId,
      item: { id: item.id, price: dto.price },
      prorationBehavior: dto.prorationBehavior ?? 'create_prorations',
      idempotencyKey: billingKey.subscription('price', uuidv7()),
    });
    return this.stored(result);
  }

  private async stored(snapshot: SubscriptionSnapshot): Promise<SubscriptionDto> {
    await this.mirror.storeCurrent(snapshot);
    return subscriptionView(await this.subscriptions.findOneByOrFail({ stripeId: snapshot.id }));
  }

  /** By our id or Stripe's; own subscriptions only unless admin (another owner's is 404 like an unknown one). */
  private async findVisible(principal: Principal, id: string): Promise<SubscriptionEntity> {
    const by = id.startsWith('sub_') ? { stripeId: id } : { id };
    const row = await this.subscriptions.findOneBy(principal.admin ? by : { ...by, ownerId: ownerIdOf(principal) });
    if (row === null)
      throw new ProblemException(404, `No subscription ${id}`, { slug: 'not-found', title: 'Not Found' });
    return row;
  }
}

function notChangeable(row: SubscriptionEntity, what: string): ProblemException {
  return new ProblemException(409, `The subscription cannot be ${what}: it is ${row.status}`, {
    slug: 'subscription-ended',
    title: 'Subscription ended',
  });
}
