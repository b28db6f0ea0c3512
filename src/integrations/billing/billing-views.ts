import type { CustomerEntity } from '../payments/entities/customer.entity';
import type { CustomerDto, SubscriptionDto } from './dto/billing.dto';
import type { SubscriptionEntity } from './entities/subscription.entity';

const iso = (seconds: number | null): string | null =>
  seconds === null ? null : new Date(seconds * 1000).toISOString();

export function customerView(row: CustomerEntity & { stripeId: string }): CustomerDto {
  return { id: row.stripeId, ownerId: row.ownerId, createdAt: row.createdAt.toISOString() };
}

export function subscriptionView(row: SubscriptionEntity): SubscriptionDto {
  return {
    id: row.id,
    stripeId: row.stripeId,
    status: row.status,
    items: row.items.map((item) => ({ ...item })),
    currentPeriodEnd: iso(row.currentPeriodEnd),
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    trialEnd: iso(row.trialEnd),
    latestInvoice: row.latestInvoice,
    updatedAt: row.updatedAt.toISOString(),
  };
}
