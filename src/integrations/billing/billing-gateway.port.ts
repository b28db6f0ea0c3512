import { Inject } from '@nestjs/common';
import type { CheckoutSessionSnapshot, InvoiceSnapshot, SubscriptionSnapshot } from './billing-objects';

export interface CreateCheckoutSessionInput {
  readonly customer: string;
  readonly mode: 'payment' | 'subscription' | 'setup';
  readonly items: ReadonlyArray<{ readonly price: string; readonly quantity: number }>;
  readonly successUrl: string;
  readonly cancelUrl: string;
  readonly trialDays?: number;
  readonly allowPromotionCodes?: boolean;
  /** Our checkout row id, sent as `client_reference_id` and metadata. */
  readonly reference: string;
  readonly idempotencyKey: string;
}

export interface CheckoutSessionCreated extends CheckoutSessionSnapshot {
  readonly url: string | null;
}

export interface UpdateSubscriptionInput {
  readonly providerId: string;
  readonly cancelAtPeriodEnd?: boolean;
  /** Replace the price of this item (`items[0][id]` + `items[0][price]`). */
  readonly item?: { readonly id: string; readonly price: string };
  readonly prorationBehavior?: 'create_prorations' | 'none' | 'always_invoice';
  readonly idempotencyKey: string;
}

export interface SubscriptionActionInput {
  readonly providerId: string;
  readonly idempotencyKey: string;
}

/**
 * Stripe Billing as the billing module needs it. Implementations throw
 * `IntegrationError`s and send every mutating call with the given key.
 */
export interface BillingGateway {
  createCheckoutSession(input: CreateCheckoutSessionInput): Promise<CheckoutSessionCreated>;
  createPortalSession(input: {
    readonly customer: string;
    readonly returnUrl: string;
  }): Promise<{ readonly url: string }>;
  retrieveSubscription(providerId: string): Promise<SubscriptionSnapshot>;
  updateSubscription(input: UpdateSubscriptionInput): Promise<SubscriptionSnapshot>;
  cancelSubscription(input: SubscriptionActionInput): Promise<SubscriptionSnapshot>;
  /** Resumes a paused subscription (`POST /v1/subscriptions/:id/resume`). */
  resumeSubscription(input: SubscriptionActionInput): Promise<SubscriptionSnapshot>;
  retrieveInvoice(providerId: string): Promise<InvoiceSnapshot>;
}

/** Injection token of the `BillingGateway` port. */
export const BillingGateway = Symbol('BillingGateway');

export const InjectBillingGateway = (): ParameterDecorator & PropertyDecorator => Inject(BillingGateway);
