import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { ProviderFailedError, ProviderNotConfiguredError } from '../../../core/errors/integration.error';
import { Monitored } from '../../../core/monitoring/monitored.decorator';
import { Resilient } from '../../../core/resilience/resilient.decorator';
import { stripeConfig } from '../../payments/stripe.config';
import { InjectStripeClient } from '../../payments/stripe/stripe-client.provider';
import { callStripe } from '../../payments/stripe/stripe-error.mapper';
import type {
  BillingGateway,
  CheckoutSessionCreated,
  CreateCheckoutSessionInput,
  SubscriptionActionInput,
  UpdateSubscriptionInput,
} from '../billing-gateway.port';
import {
  type InvoiceSnapshot,
  type SubscriptionSnapshot,
  readCheckoutSession,
  readInvoice,
  readSubscription,
} from '../billing-objects';
import { BILLING_REFERENCE_METADATA_KEY } from '../billing-links';

const keyOf = (input: { idempotencyKey: string }): string => input.idempotencyKey;

/**
 * `BillingGateway` on the official Stripe SDK (the payments module's client,
 * so one API version, timeout and retry layer). Mutating calls carry the
 * caller's stable idempotency key; answers go through the same readers as
 * webhook payloads.
 */
@Injectable()
export class StripeBillingGateway implements BillingGateway {
  constructor(@InjectStripeClient() private readonly stripe: Stripe | null) {}

  @Resilient('stripe', { idempotent: false, idempotencyKey: keyOf, rateLimitKey: 'checkout.sessions.create' })
  @Monitored('stripe', 'checkout.sessions.create')
  async createCheckoutSession(input: CreateCheckoutSessionInput): Promise<CheckoutSessionCreated> {
    const stripe = this.client('checkout.sessions.create');
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: input.mode,
      customer: input.customer,
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      client_reference_id: input.reference,
      metadata: { [BILLING_REFERENCE_METADATA_KEY]: input.reference },
      ...(input.mode === 'setup' ? {} : { line_items: input.items.map((item) => ({ ...item })) }),
      ...(input.trialDays === undefined ? {} : { subscription_data: { trial_period_days: input.trialDays } }),
      ...(input.allowPromotionCodes === undefined ? {} : { allow_promotion_codes: input.allowPromotionCodes }),
    };
    const session = await callStripe('checkout.sessions.create', () =>
      stripe.checkout.sessions.create(params, { idempotencyKey: input.idempotencyKey }),
    );
    return { ...this.read('checkout.sessions.create', readCheckoutSession(session)), url: session.url ?? null };
  }

  // Not idempotent and no key: a portal session is short-lived and cheap, so a lost answer is simply asked for again.
  @Resilient('stripe', { idempotent: false })
  @Monitored('stripe', 'billingPortal.sessions.create')
  async createPortalSession(input: { customer: string; returnUrl: string }): Promise<{ readonly url: string }> {
    const stripe = this.client('billingPortal.sessions.create');
    const session = await callStripe('billingPortal.sessions.create', () =>
      stripe.billingPortal.sessions.create({ customer: input.customer, return_url: input.returnUrl }),
    );
    return { url: session.url };
  }

  @Resilient('stripe')
  @Monitored('stripe', 'subscriptions.retrieve')
  async retrieveSubscription(providerId: string): Promise<SubscriptionSnapshot> {
    const stripe = this.client('subscriptions.retrieve');
    const subscription = await callStripe('subscriptions.retrieve', () => stripe.subscriptions.retrieve(providerId));
    return this.read('subscriptions.retrieve', readSubscription(subscription));
  }

  @Resilient('stripe', { idempotent: false, idempotencyKey: keyOf })
  @Monitored('stripe', 'subscriptions.update')
  async updateSubscription(input: UpdateSubscriptionInput): Promise<SubscriptionSnapshot> {
    const stripe = this.client('subscriptions.update');
    const params: Stripe.SubscriptionUpdateParams = {
      ...(input.cancelAtPeriodEnd === undefined ? {} : { cancel_at_period_end: input.cancelAtPeriodEnd }),
      ...(input.item === undefined ? {} : { items: [{ id: input.item.id, price: input.item.price }] }),
      ...(input.prorationBehavior === undefined ? {} : { proration_behavior: input.prorationBehavior }),
    };
    const subscription = await callStripe('subscriptions.update', () =>
      stripe.subscriptions.update(input.providerId, params, { idempotencyKey: input.idempotencyKey }),
    );
    return this.read('subscriptions.update', readSubscription(subscription));
  }

  // DELETE is idempotent at Stripe (cancelling twice answers the canceled subscription or an error, never twice the effect).
  @Resilient('stripe', { idempotent: false, idempotencyKey: keyOf })
  @Monitored('stripe', 'subscriptions.cancel')
  async cancelSubscription(input: SubscriptionActionInput): Promise<SubscriptionSnapshot> {
    const stripe = this.client('subscriptions.cancel');
    const subscription = await callStripe('subscriptions.cancel', () =>
      stripe.subscriptions.cancel(input.providerId, {}, { idempotencyKey: input.idempotencyKey }),
    );
    return this.read('subscriptions.cancel', readSubscription(subscription));
  }

  @Resilient('stripe', { idempotent: false, idempotencyKey: keyOf })
  @Monitored('stripe', 'subscriptions.resume')
  async resumeSubscription(input: SubscriptionActionInput): Promise<SubscriptionSnapshot> {
    const stripe = this.client('subscriptions.resume');
    const subscription = await callStripe('subscriptions.resume', () =>
      stripe.subscriptions.resume(input.providerId, {}, { idempotencyKey: input.idempotencyKey }),
    );
    return this.read('subscriptions.resume', readSubscription(subscription));
  }

  @Resilient('stripe')
  @Monitored('stripe', 'invoices.retrieve')
  async retrieveInvoice(providerId: string): Promise<InvoiceSnapshot> {
    const stripe = this.client('invoices.retrieve');
    const invoice = await callStripe('invoices.retrieve', () => stripe.invoices.retrieve(providerId));
    return this.read('invoices.retrieve', readInvoice(invoice));
  }

  private client(operation: string): Stripe {
    if (this.stripe === null)
      throw new ProviderNotConfiguredError('stripe', stripeConfig.declaration.required, operation);
    return this.stripe;
  }

  /** A Stripe answer our reader cannot make sense of is a provider failure, not a bug to crash on. */
  private read<T>(operation: string, snapshot: T | undefined): T {
    if (snapshot === undefined)
      throw new ProviderFailedError('Stripe answered with an object of an unexpected shape', {
        provider: 'stripe',
        operation,
        retryable: false,
      });
    return snapshot;
  }
}
