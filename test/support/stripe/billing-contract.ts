import { type Answer, invalid, missing, str, strings, token } from './contract-answers';
import type { FormObject } from './form';

export interface FakeSubscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  cancel_at_period_end: boolean;
  trial_end: number | null;
  latest_invoice: string | null;
  created: number;
  metadata: Record<string, string>;
  livemode: false;
  items: {
    object: 'list';
    data: Array<{
      id: string;
      object: 'subscription_item';
      price: { id: string; object: 'price'; product: string };
      quantity: number;
      current_period_start: number;
      current_period_end: number;
    }>;
  };
}

export interface FakeCheckoutSession {
  id: string;
  object: 'checkout.session';
  mode: string;
  status: string;
  payment_status: string;
  url: string | null;
  customer: string;
  client_reference_id: string | null;
  success_url: string;
  cancel_url: string;
  subscription: string | null;
  metadata: Record<string, string>;
  line_items: Array<{ price: string; quantity: number }>;
  trial_period_days: number | null;
  livemode: false;
}

export interface FakeInvoice {
  id: string;
  object: 'invoice';
  customer: string;
  status: string;
  amount_due: number;
  amount_paid: number;
  currency: string;
  hosted_invoice_url: string;
  customer_email: string | null;
  parent: { type: 'subscription_details'; subscription_details: { subscription: string } } | null;
  livemode: false;
}

const DAY = 86_400;
const now = (): number => Math.floor(Date.now() / 1000);

/**
 * The billing part of the Stripe contract server: customers, prices (which
 * a test declares), Checkout Sessions, billing portal sessions,
 * subscriptions (retrieve, update, cancel, resume) and invoices, following
 * API 2026-10-28 (periods on subscription items; an invoice's subscription
 * under `parent.subscription_details`). Test helpers play the customer's
 * side (completing a Checkout, a failed renewal).
 */
export class FakeBilling {
  readonly customers = new Map<string, { id: string; object: 'customer'; metadata: Record<string, string> }>();
  /** Price id → product id; only these prices exist. */
  readonly prices = new Map<string, string>();
  readonly checkoutSessions = new Map<string, FakeCheckoutSession>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly invoices = new Map<string, FakeInvoice>();

  /** Undefined when the path is not a billing resource. */
  execute(method: string, parts: string[], params: FormObject): Answer | undefined {
    const [, resource, id, action] = parts;
    if (method === 'POST' && resource === 'customers' && id === undefined) return this.createCustomer(params);
    if (resource === 'checkout' && id === 'sessions' && method === 'POST' && action === undefined)
      return this.createCheckout(params);
    if (resource === 'billing_portal' && id === 'sessions' && method === 'POST') return this.createPortal(params);
    if (resource === 'subscriptions' && id !== undefined) return this.subscription(method, id, action, params);
    if (resource === 'invoices' && id !== undefined && method === 'GET') {
      const invoice = this.invoices.get(id);
      return invoice ? [200, invoice] : missing('invoice', id);
    }
    return undefined;
  }

  /** A subscription for `customer` on `price`, as if created in the dashboard or by a Checkout. */
  addSubscription(customer: string, price: string, status = 'active', id = `sub_${token(14)}`): FakeSubscription {
    const created = now();
    const subscription: FakeSubscription = {
      id,
      object: 'subscription',
      customer,
      status,
      cancel_at_period_end: false,
      trial_end: status === 'trialing' ? created + 14 * DAY : null,
      latest_invoice: null,
      created,
      metadata: {},
      livemode: false,
      items: {
        object: 'list',
        data: [
          {
            id: `si_${token(14)}`,
            object: 'subscription_item',
            price: { id: price, object: 'price', product: this.prices.get(price) ?? `prod_${token(8)}` },
            quantity: 1,
            current_period_start: created,
            current_period_end: created + 30 * DAY,
          },
        ],
      },
    };
    this.subscriptions.set(id, subscription);
    return subscription;
  }

  /** The customer pays at Checkout: the session completes and, in subscription mode, its subscription starts. */
  completeCheckout(sessionId: string): FakeCheckoutSession {
    const session = this.checkoutSessions.get(sessionId);
    if (!session) throw new Error(`no checkout session ${sessionId}`);
    session.status = 'complete';
    session.payment_status = session.mode === 'setup' ? 'no_payment_required' : 'paid';
    if (session.mode === 'subscription') {
      const status = session.trial_period_days === null ? 'active' : 'trialing';
      session.subscription = this.addSubscription(session.customer, session.line_items[0].price, status).id;
    }
    return session;
  }

  /** A renewal fails: an open invoice with a hosted link, and the subscription `past_due`. */
  failRenewal(subscriptionId: string, customerEmail: string | null = null): FakeInvoice {
    const subscription = this.mustSubscription(subscriptionId);
    subscription.status = 'past_due';
    const invoice: FakeInvoice = {
      id: `in_${token(14)}`,
      object: 'invoice',
      customer: subscription.customer,
      status: 'open',
      amount_due: 1500,
      amount_paid: 0,
      currency: 'eur',
      hosted_invoice_url: `https://invoice.stripe.com/i/acct_test/${token(20)}`,
      customer_email: customerEmail,
      parent: { type: 'subscription_details', subscription_details: { subscription: subscription.id } },
      livemode: false,
    };
    subscription.latest_invoice = invoice.id;
    this.invoices.set(invoice.id, invoice);
    return invoice;
  }

  mustSubscription(id: string): FakeSubscription {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw new Error(`no subscription ${id}`);
    return subscription;
  }

  private createCustomer(params: FormObject): Answer {
    const customer = { id: `cus_${token(14)}`, object: 'customer' as const, metadata: strings(params.metadata) };
    this.customers.set(customer.id, customer);
    return [200, customer];
  }

  private createCheckout(params: FormObject): Answer {
    const customer = str(params.customer);
    if (customer === undefined || !this.customers.has(customer)) return missing('customer', customer ?? '', 'customer');
    const mode = str(params.mode);
    if (mode !== 'payment' && mode !== 'subscription' && mode !== 'setup')
      return invalid('Invalid mode: must be one of payment, setup, or subscription', 'mode');
    const raw = typeof params.line_items === 'object' ? Object.values(params.line_items) : [];
    const items = raw.map((item) => (typeof item === 'object' ? item : {}));
    for (const [n, item] of items.entries()) {
      const price = str(item.price) ?? '';
      if (!this.prices.has(price)) return missing('price', price, `line_items[${n}][price]`);
    }
    if (mode !== 'setup' && items.length === 0)
      return invalid(`line_items is required in ${mode} mode.`, 'line_items', 'parameter_missing');
    const id = `cs_test_${token(24)}`;
    const trial = params.subscription_data;
    const session: FakeCheckoutSession = {
      id,
      object: 'checkout.session',
      mode,
      status: 'open',
      payment_status: 'unpaid',
      url: `https://checkout.stripe.com/c/pay/${id}`,
      customer,
      client_reference_id: str(params.client_reference_id) ?? null,
      success_url: str(params.success_url) ?? '',
      cancel_url: str(params.cancel_url) ?? '',
      subscription: null,
      metadata: strings(params.metadata),
      line_items: items.map((item) => ({ price: str(item.price) ?? '', quantity: Number(str(item.quantity) ?? 1) })),
      trial_period_days: typeof trial === 'object' && trial.trial_period_days ? Number(trial.trial_period_days) : null,
      livemode: false,
    };
    this.checkoutSessions.set(id, session);
    return [200, session];
  }

  private createPortal(params: FormObject): Answer {
    const customer = str(params.customer);
    if (customer === undefined || !this.customers.has(customer)) return missing('customer', customer ?? '', 'customer');
    const id = `bps_${token(20)}`;
    return [
      200,
      {
        id,
        object: 'billing_portal.session',
        customer,
        return_url: str(params.return_url) ?? null,
        url: `https://billing.stripe.com/p/session/test_${token(24)}`,
        livemode: false,
      },
    ];
  }

  private subscription(method: string, id: string, action: string | undefined, params: FormObject): Answer | undefined {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return missing('subscription', id);
    if (method === 'GET' && action === undefined) return [200, subscription];
    const canceled = subscription.status === 'canceled' || subscription.status === 'incomplete_expired';
    if (method === 'DELETE' && action === undefined) {
      if (canceled) return missing('subscription', id);
      subscription.status = 'canceled';
      return [200, subscription];
    }
    if (method === 'POST' && action === 'resume') {
      if (subscription.status !== 'paused')
        return invalid('Subscription can only be resumed if it is paused.', undefined, 'subscription_not_paused');
      subscription.status = 'active';
      return [200, subscription];
    }
    if (method !== 'POST' || action !== undefined) return undefined;
    if (canceled) return invalid('A canceled subscription can only update its cancellation_details and metadata.');
    if (params.cancel_at_period_end !== undefined)
      subscription.cancel_at_period_end = str(params.cancel_at_period_end) === 'true';
    const items = typeof params.items === 'object' ? Object.values(params.items) : [];
    for (const [n, item] of items.entries()) {
      if (typeof item !== 'object') continue;
      const target = subscription.items.data.find((existing) => existing.id === str(item.id));
      if (!target) return missing('subscription item', str(item.id) ?? '', `items[${n}][id]`);
      const price = str(item.price) ?? '';
      if (!this.prices.has(price)) return missing('price', price, `items[${n}][price]`);
      target.price = { id: price, object: 'price', product: this.prices.get(price) ?? '' };
    }
    return [200, subscription];
  }
}
