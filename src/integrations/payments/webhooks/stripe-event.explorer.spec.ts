import { Logger } from '@nestjs/common';
import { type DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type Stripe from 'stripe';
import { OnStripeEvent } from './on-stripe-event.decorator';
import { StripeEventExplorer } from './stripe-event.explorer';

function explorerOver(...instances: object[]): StripeEventExplorer {
  const discovery = {
    getProviders: () => instances.map((instance) => ({ instance, isAlias: false, isDependencyTreeStatic: () => true })),
  } as unknown as DiscoveryService;
  return new StripeEventExplorer(discovery, new MetadataScanner(), new Reflector());
}

const event = { id: 'evt_1', type: 'invoice.paid' } as Stripe.Event;
const context = { rowId: 'r', source: 'webhook' as const, attempt: 1 };

class InvoiceHandlers {
  readonly calls: string[] = [];

  @OnStripeEvent('invoice.paid')
  onPaid(): void {
    this.calls.push('prototype');
  }

  @OnStripeEvent('*')
  onAny(): void {
    this.calls.push('any');
  }
}

describe(StripeEventExplorer.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('calls the method found on the instance, so a decorator that wrapped it in place applies', async () => {
    const handlers = new InvoiceHandlers();
    // What @Monitored/@Resilient do at bootstrap: replace the instance's method, keeping its metadata.
    const original = handlers.onPaid.bind(handlers);
    const wrapped = (): void => {
      handlers.calls.push('wrapper');
      original();
    };
    Reflect.getMetadataKeys(InvoiceHandlers.prototype.onPaid).forEach((key: unknown) =>
      Reflect.defineMetadata(key, Reflect.getMetadata(key, InvoiceHandlers.prototype.onPaid), wrapped),
    );
    handlers.onPaid = wrapped;
    const sut = explorerOver(handlers);
    sut.onModuleInit();
    for (const handler of sut.handlersFor('invoice.paid')) await handler.call(event, context);
    expect(handlers.calls).toEqual(['wrapper', 'prototype', 'any']);
  });

  it('logs the map "event type → Class.method" at start-up', () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    explorerOver(new InvoiceHandlers()).onModuleInit();
    expect(log.mock.calls.map(([message]) => message)).toEqual([
      'invoice.paid → InvoiceHandlers.onPaid',
      '* → InvoiceHandlers.onAny',
    ]);
  });

  it('refuses a second handler for a type whose handler must be alone', () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    class Ledger {
      @OnStripeEvent(['invoice.paid', 'invoice.voided'], { exclusive: true })
      book(): void {}
    }
    expect(() => explorerOver(new Ledger(), new InvoiceHandlers()).onModuleInit()).toThrow(
      'Stripe event invoice.paid: Ledger.book must be its only handler (exclusive), but InvoiceHandlers.onPaid also handle(s) it',
    );
    expect(() => explorerOver(new InvoiceHandlers(), new Ledger()).onModuleInit()).toThrow(
      /Ledger\.book must be its only handler/,
    );
  });

  it('lets several ordinary handlers share a type', () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const sut = explorerOver(new InvoiceHandlers(), new InvoiceHandlers());
    sut.onModuleInit();
    expect(sut.handlersFor('invoice.paid')).toHaveLength(4);
    expect(sut.hasHandlers('customer.updated')).toBe(true); // the '*' handlers
  });
});
