import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProviderConfigModule } from '../../config/provider-config';
import { SecurityModule } from '../../core/security/security.module';
import { PaymentsModule } from '../payments/payments.module';
import { BillingController } from './billing.controller';
import { billingConfig } from './billing.config';
import { BillingGateway } from './billing-gateway.port';
import { BillingMirror } from './billing-mirror';
import { CheckoutService } from './checkout.service';
import { EntitlementGuard } from './entitlements/entitlement.guard';
import { EntitlementsService } from './entitlements/entitlements.service';
import { CheckoutSessionEntity } from './entities/checkout-session.entity';
import { InvoiceEntity } from './entities/invoice.entity';
import { SubscriptionEntity } from './entities/subscription.entity';
import { BillingEventHandlers } from './handlers/billing-event.handlers';
import { DisputeEventHandlers } from './handlers/dispute-event.handlers';
import { RedirectUrlsPolicy } from './redirect-urls.policy';
import { StripeBillingGateway } from './stripe/stripe-billing.adapter';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Stripe Billing on top of payments (its client, customers, inbox and
 * records): Checkout and portal sessions, subscriptions and invoices kept
 * current from webhooks, entitlements with `@RequiresEntitlement` (a global
 * guard, so any module's routes can use it), and dispute reactions.
 */
@Module({
  imports: [
    PaymentsModule,
    // SameOriginPolicy: our own origins, for the Checkout and portal return URLs.
    SecurityModule,
    TypeOrmModule.forFeature([SubscriptionEntity, InvoiceEntity, CheckoutSessionEntity]),
    ProviderConfigModule.forFeature(billingConfig),
  ],
  controllers: [BillingController],
  providers: [
    { provide: BillingGateway, useClass: StripeBillingGateway },
    BillingMirror,
    SubscriptionsService,
    CheckoutService,
    EntitlementsService,
    RedirectUrlsPolicy,
    BillingEventHandlers,
    DisputeEventHandlers,
    { provide: APP_GUARD, useClass: EntitlementGuard },
  ],
  exports: [EntitlementsService],
})
export class BillingModule {}
