import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { type BillingConfig, billingConfig } from '../billing.config';
import { SubscriptionEntity } from '../entities/subscription.entity';
import { featuresOf } from './entitlement-map';

/** Statuses that grant features outright; `past_due` grants them only within the grace period. */
const GRANTING = ['active', 'trialing'];

/**
 * What an owner may use now: the features (BILLING_ENTITLEMENTS) of the
 * prices and products of its subscriptions that are `active` or `trialing`,
 * or `past_due` for less than BILLING_GRACE_DAYS. Read from the subscriptions
 * the webhooks keep current, so a `customer.subscription.deleted` takes
 * them away as soon as it is processed. Cashier's `subscribed()`.
 */
@Injectable()
export class EntitlementsService {
  constructor(
    @InjectRepository(SubscriptionEntity) private readonly subscriptions: Repository<SubscriptionEntity>,
    @Inject(billingConfig.KEY) private readonly config: BillingConfig,
  ) {}

  async featuresOf(ownerId: string, now = Date.now()): Promise<string[]> {
    const rows = await this.subscriptions.find({
      where: { ownerId, status: In([...GRANTING, 'past_due']) },
      select: { status: true, statusSince: true, items: true },
    });
    const graceSeconds = this.config.graceDays * 86_400;
    const granting = rows.filter((row) => GRANTING.includes(row.status) || now / 1000 - row.statusSince < graceSeconds);
    return featuresOf(
      this.config.entitlements,
      granting.flatMap((row) => row.items),
    );
  }

  async has(ownerId: string, feature: string): Promise<boolean> {
    return (await this.featuresOf(ownerId)).includes(feature);
  }
}
