import { readCheckoutSession, readDispute, readInvoice, readSubscription } from './billing-objects';

describe('billing object readers (API 2026-10-28)', () => {
  it('reads a subscription’s period end from its items and price/product from expanded or plain ids', () => {
    const subscription = readSubscription({
      id: 'sub_1',
      object: 'subscription',
      customer: { id: 'cus_1', object: 'customer' },
      status: 'past_due',
      cancel_at_period_end: true,
      trial_end: null,
      latest_invoice: 'in_1',
      items: {
        data: [
          { id: 'si_1', price: { id: 'price_a', product: 'prod_a' }, quantity: 2, current_period_end: 100 },
          { id: 'si_2', price: 'price_b', current_period_end: 200 },
        ],
      },
    });
    expect(subscription).toEqual({
      id: 'sub_1',
      customer: 'cus_1',
      status: 'past_due',
      items: [
        { id: 'si_1', price: 'price_a', product: 'prod_a', quantity: 2 },
        { id: 'si_2', price: 'price_b', product: null, quantity: 1 },
      ],
      currentPeriodEnd: 200,
      cancelAtPeriodEnd: true,
      trialEnd: null,
      latestInvoice: 'in_1',
    });
  });

  it('finds an invoice’s subscription under parent.subscription_details, not at the top level', () => {
    const invoice = readInvoice({
      id: 'in_1',
      object: 'invoice',
      customer: 'cus_1',
      subscription: 'sub_legacy',
      parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_1' } },
      status: 'open',
      amount_due: 1500,
      currency: 'eur',
      hosted_invoice_url: 'https://invoice.stripe.com/i/x',
    });
    expect(invoice).toMatchObject({ subscription: 'sub_1', amountDue: 1500, amountPaid: 0, customerEmail: null });
    expect(readInvoice({ id: 'in_2', object: 'invoice', parent: null })?.subscription).toBeNull();
  });

  it('refuses objects of another type (an event whose payload does not match its type)', () => {
    expect(readSubscription({ id: 'in_1', object: 'invoice' })).toBeUndefined();
    expect(readInvoice({ id: 'sub_1', object: 'subscription' })).toBeUndefined();
    expect(readCheckoutSession({ object: 'checkout.session' })).toBeUndefined();
    expect(readDispute(null)).toBeUndefined();
  });
});
