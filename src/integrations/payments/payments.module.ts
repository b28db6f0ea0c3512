import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProviderConfigModule } from '../../config/provider-config';
import { CustomersService } from './customers.service';
import { CustomerEntity } from './entities/customer.entity';
import { PaymentEntity } from './entities/payment.entity';
import { PaymentStatusChangeEntity } from './entities/payment-status-change.entity';
import { RefundEntity } from './entities/refund.entity';
import { StripeEventEntity } from './entities/stripe-event.entity';
import { PaymentEventHandlers } from './handlers/payment-event.handlers';
import { PaymentGateway } from './payment-gateway.port';
import { PaymentRecords } from './payment-records';
import { PaymentStateStore } from './payment-state.store';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { StripeCatchUpService } from './stripe-catch-up.service';
import { stripeConfig } from './stripe.config';
import { StripeStatusProbe } from './stripe-status.probe';
import { STRIPE_CLIENT, stripeClientProvider } from './stripe/stripe-client.provider';
import { StripePaymentGateway } from './stripe/stripe-payments.adapter';
import { StripeEventAdminService } from './webhooks/stripe-event-admin.service';
import { StripeEventExplorer } from './webhooks/stripe-event.explorer';
import { StripeEventInbox } from './webhooks/stripe-event.inbox';
import { StripeSignatureVerifier } from './webhooks/stripe-signature.verifier';
import { StripeWebhookAdminController } from './webhooks/stripe-webhook-admin.controller';
import { StripeWebhookController } from './webhooks/stripe-webhook.controller';

/**
 * Stripe payments: intents and refunds behind the `PaymentGateway` port, the
 * durable webhook inbox with `@OnStripeEvent` handlers, domain events
 * (`payment.succeeded|failed|canceled|refunded`), admin inbox routes and catch-up.
 * Needs `EventEmitterModule.forRoot()` in the application.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      PaymentEntity,
      PaymentStatusChangeEntity,
      RefundEntity,
      StripeEventEntity,
      CustomerEntity,
    ]),
    DiscoveryModule,
    ProviderConfigModule.forFeature(stripeConfig),
  ],
  controllers: [PaymentsController, StripeWebhookController, StripeWebhookAdminController],
  providers: [
    stripeClientProvider,
    { provide: PaymentGateway, useClass: StripePaymentGateway },
    PaymentsService,
    CustomersService,
    PaymentStateStore,
    PaymentRecords,
    PaymentEventHandlers,
    StripeEventExplorer,
    StripeEventInbox,
    StripeSignatureVerifier,
    StripeEventAdminService,
    StripeCatchUpService,
    StripeStatusProbe,
  ],
  exports: [
    STRIPE_CLIENT,
    PaymentGateway,
    PaymentsService,
    CustomersService,
    PaymentRecords,
    StripeCatchUpService,
    StripeEventInbox,
  ],
})
export class PaymentsModule {}
