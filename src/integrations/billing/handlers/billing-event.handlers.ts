import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { DurableEvents } from '../../../core/durable/durable-events';
import { isRecord } from '../../payments/handlers/stripe-objects';
import { OnStripeEvent } from '../../payments/webhooks/on-stripe-event.decorator';
import { BILLING_REFERENCE_METADATA_KEY } from '../billing-links';
import { BillingMirror } from '../billing-mirror';
import { readCheckoutSession, readInvoice, readSubscription } from '../billing-objects';
import { BillingDomainEvent, type InvoiceEventPayload } from '../billing-domain-events';
import { CheckoutService } from '../checkout.service';

export const SUBSCRIPTION_EVENTS = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'customer.subscription.trial_will_end',
] as const satisfies readonly Stripe.Event.Type[];

export const INVOICE_EVENTS = [
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'invoice.finalized',
] as const satisfies readonly Stripe.Event.Type[];

export const CHECKOUT_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
] as const satisfies readonly Stripe.Event.Type[];

/** Invoice events after which the subscription's status may have moved (paid → active, failed → past_due). */
const REFRESHING: ReadonlySet<string> = new Set(['invoice.paid', 'invoice.payment_failed']);

/** Invoice events the customer is told about (when a durable consumer, e.g. the invoice email, is configured). */
const TOLD: Readonly<Record<string, string>> = {
  'invoice.payment_failed': BillingDomainEvent.invoicePaymentFailed,
  'invoice.payment_action_required': BillingDomainEvent.invoiceActionRequired,
};

/**
 * Keeps subscriptions, invoices and Checkout Sessions current from Stripe's
 * events. Idempotent: every write goes through the newest-wins mirror, and
 * reactions are keyed by event id.
 */
@Injectable()
export class BillingEventHandlers {
  private readonly logger = new Logger(BillingEventHandlers.name);

  constructor(
    private readonly mirror: BillingMirror,
    private readonly checkout: CheckoutService,
    private readonly transactions: TransactionRunner,
    private readonly durableEvents: DurableEvents,
  ) {}

  @OnStripeEvent([...SUBSCRIPTION_EVENTS])
  async onSubscription(event: Stripe.Event): Promise<void> {
    const subscription = readSubscription(event.data.object);
    if (subscription === undefined) return this.ignore(event);
    await this.mirror.applySubscription(subscription, event.created);
  }

  @OnStripeEvent([...INVOICE_EVENTS])
  async onInvoice(event: Stripe.Event): Promise<void> {
    const invoice = readInvoice(event.data.object);
    if (invoice === undefined) return this.ignore(event);
    await this.mirror.applyInvoice(invoice, event.created);
    if (invoice.subscription !== null && REFRESHING.has(event.type))
      await this.mirror.refreshSubscription(invoice.subscription, event.created);
    const name = TOLD[event.type];
    if (name === undefined || !this.durableEvents.hasConsumers(name)) return;
    const payload: InvoiceEventPayload = {
      eventId: event.id,
      invoiceId: invoice.id,
      ownerId: await this.mirror.invoiceOwner(invoice.id),
      customerEmail: invoice.customerEmail,
      hostedInvoiceUrl: invoice.hostedInvoiceUrl,
      amountDue: invoice.amountDue,
      currency: invoice.currency,
    };
    // Keyed by the event: a redelivery (or a retry after a crash right here) records nothing twice.
    await this.transactions.run(async (manager) => {
      if ((await this.durableEvents.publish(manager, name, event.id, payload)) > 0)
        this.transactions.afterCommit(() => this.durableEvents.kick());
    });
  }

  @OnStripeEvent([...CHECKOUT_EVENTS])
  async onCheckoutSession(event: Stripe.Event): Promise<void> {
    const session = readCheckoutSession(event.data.object);
    if (session === undefined) return this.ignore(event);
    const object = event.data.object as unknown as Record<string, unknown>;
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    const reference = metadata[BILLING_REFERENCE_METADATA_KEY] ?? object.client_reference_id;
    await this.checkout.applyEvent(session, typeof reference === 'string' ? reference : null, event.created);
    // The subscription's own events may come later (or never reach us first): take its state from Stripe now.
    if (session.subscription !== null) await this.mirror.refreshSubscription(session.subscription, event.created);
  }

  private ignore(event: Stripe.Event): void {
    this.logger.warn(`Event ${event.id} (${event.type}) does not carry the object its type promises; ignored`);
  }
}
