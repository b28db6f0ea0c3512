import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { ProviderNotConfiguredError } from '../../../core/errors/integration.error';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';
import type {
  CreateCustomerInput,
  CreateIntentInput,
  CreateRefundInput,
  GatewayEventPage,
  GatewayIntent,
  GatewayRefund,
  IntentActionInput,
  ListEventsInput,
  PaymentGateway,
} from '../payment-gateway.port';
import { OWNER_METADATA_KEY } from '../payment-links';
import { stripeConfig } from '../stripe.config';
import { InjectStripeClient } from './stripe-client.provider';
import { callStripe } from './stripe-error.mapper';

/**
 * `PaymentGateway` on the official Stripe SDK. Every method is one SDK call:
 * the resilience layer (`@Resilient`) retries, so a retried call must be
 * harmless — mutating calls carry the caller's stable idempotency key,
 * which Stripe uses to replay instead of repeating.
 */
@Injectable()
export class StripePaymentGateway implements PaymentGateway {
  constructor(@InjectStripeClient() private readonly stripe: Stripe | null) {}

  @Resilient('stripe', {
    idempotent: false,
    idempotencyKey: (input: CreateIntentInput) => input.idempotencyKey,
    rateLimitKey: 'paymentIntents.create',
  })
  @Monitored('stripe', 'paymentIntents.create')
  async createIntent(input: CreateIntentInput): Promise<GatewayIntent> {
    const stripe = this.client('paymentIntents.create');
    const params: Stripe.PaymentIntentCreateParams = {
      amount: input.amount,
      currency: input.currency,
      metadata: { ...input.metadata },
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.receiptEmail === undefined ? {} : { receipt_email: input.receiptEmail }),
      ...(input.captureMethod === undefined ? {} : { capture_method: input.captureMethod }),
      ...(input.customer === undefined ? {} : { customer: input.customer }),
      ...(input.setupFutureUsage === undefined ? {} : { setup_future_usage: input.setupFutureUsage }),
    };
    const intent = await callStripe('paymentIntents.create', () =>
      stripe.paymentIntents.create(params, { idempotencyKey: input.idempotencyKey }),
    );
    return toIntent(intent);
  }

  @Resilient('stripe')
  @Monitored('stripe', 'paymentIntents.retrieve')
  async retrieveIntent(providerId: string): Promise<GatewayIntent> {
    const stripe = this.client('paymentIntents.retrieve');
    return toIntent(await callStripe('paymentIntents.retrieve', () => stripe.paymentIntents.retrieve(providerId)));
  }

  @Resilient('stripe', { idempotent: false, idempotencyKey: (input: IntentActionInput) => input.idempotencyKey })
  @Monitored('stripe', 'paymentIntents.capture')
  async captureIntent(input: IntentActionInput): Promise<GatewayIntent> {
    const stripe = this.client('paymentIntents.capture');
    return toIntent(
      await callStripe('paymentIntents.capture', () =>
        stripe.paymentIntents.capture(input.providerId, {}, { idempotencyKey: input.idempotencyKey }),
      ),
    );
  }

  @Resilient('stripe', { idempotent: false, idempotencyKey: (input: IntentActionInput) => input.idempotencyKey })
  @Monitored('stripe', 'paymentIntents.cancel')
  async cancelIntent(input: IntentActionInput): Promise<GatewayIntent> {
    const stripe = this.client('paymentIntents.cancel');
    return toIntent(
      await callStripe('paymentIntents.cancel', () =>
        stripe.paymentIntents.cancel(input.providerId, {}, { idempotencyKey: input.idempotencyKey }),
      ),
    );
  }

  @Resilient('stripe', { idempotent: false, idempotencyKey: (input: CreateRefundInput) => input.idempotencyKey })
  @Monitored('stripe', 'refunds.create')
  async createRefund(input: CreateRefundInput): Promise<GatewayRefund> {
    const stripe = this.client('refunds.create');
    const params: Stripe.RefundCreateParams = {
      payment_intent: input.paymentIntentId,
      metadata: { ...input.metadata },
      ...(input.amount === undefined ? {} : { amount: input.amount }),
      ...(input.reason === undefined ? {} : { reason: input.reason }),
    };
    const refund = await callStripe('refunds.create', () =>
      stripe.refunds.create(params, { idempotencyKey: input.idempotencyKey }),
    );
    return { providerId: refund.id, status: refund.status ?? 'pending', amount: refund.amount };
  }

  @Resilient('stripe', { idempotent: false, idempotencyKey: (input: CreateCustomerInput) => input.idempotencyKey })
  @Monitored('stripe', 'customers.create')
  async createCustomer(input: CreateCustomerInput): Promise<{ readonly providerId: string }> {
    const stripe = this.client('customers.create');
    const customer = await callStripe('customers.create', () =>
      stripe.customers.create(
        { metadata: { [OWNER_METADATA_KEY]: input.ownerId } },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { providerId: customer.id };
  }

  @Resilient('stripe')
  @Monitored('stripe', 'events.list')
  async listEvents(input: ListEventsInput): Promise<GatewayEventPage> {
    const stripe = this.client('events.list');
    const page = await callStripe('events.list', () =>
      stripe.events.list({
        created: { gte: input.createdGte },
        limit: input.limit,
        ...(input.startingAfter === undefined ? {} : { starting_after: input.startingAfter }),
      }),
    );
    return { events: page.data.map((event) => ({ id: event.id, raw: JSON.stringify(event) })), hasMore: page.has_more };
  }

  private client(operation: string): Stripe {
    if (this.stripe === null)
      throw new ProviderNotConfiguredError('stripe', stripeConfig.declaration.required, operation);
    return this.stripe;
  }
}

function toIntent(intent: Stripe.PaymentIntent): GatewayIntent {
  return {
    providerId: intent.id,
    status: intent.status,
    amount: intent.amount,
    amountReceived: intent.amount_received,
    currency: intent.currency,
    clientSecret: intent.client_secret,
    created: intent.created,
  };
}
