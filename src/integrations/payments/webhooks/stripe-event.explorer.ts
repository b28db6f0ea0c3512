import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ON_STRIPE_EVENT } from './on-stripe-event.decorator';
import type { RegisteredStripeHandler, StripeEventHandler } from './stripe-event.types';

/**
 * Finds every `@OnStripeEvent` method of every provider at start-up (the
 * way `@nestjs/event-emitter` finds `@OnEvent`) and answers which handlers
 * an event type has: the specific ones first, then the `'*'` ones.
 */
@Injectable()
export class StripeEventExplorer implements OnModuleInit {
  private readonly logger = new Logger(StripeEventExplorer.name);
  private readonly byType = new Map<string, RegisteredStripeHandler[]>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isAlias || !wrapper.isDependencyTreeStatic() || typeof instance !== 'object' || instance === null)
        continue;
      const prototype: unknown = Object.getPrototypeOf(instance);
      if (typeof prototype !== 'object' || prototype === null) continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method: unknown = Reflect.get(prototype, methodName);
        if (typeof method !== 'function') continue;
        const types = this.reflector.get<readonly string[] | undefined>(ON_STRIPE_EVENT, method);
        if (types === undefined) continue;
        const name = `${instance.constructor.name}.${methodName}`;
        const call = (method as StripeEventHandler).bind(instance);
        for (const type of types) this.add(type, { name, call });
      }
    }
    const count = [...this.byType.values()].reduce((sum, list) => sum + list.length, 0);
    this.logger.log(`${count} Stripe event handler(s) for ${this.byType.size} pattern(s)`);
  }

  /** Handlers for `type`: those registered for it, then the `'*'` ones. */
  handlersFor(type: string): readonly RegisteredStripeHandler[] {
    return [...(this.byType.get(type) ?? []), ...(type === '*' ? [] : (this.byType.get('*') ?? []))];
  }

  /** Whether an event of `type` has anything to run (else the inbox stores it as done). */
  hasHandlers(type: string): boolean {
    return this.byType.has(type) || this.byType.has('*');
  }

  private add(type: string, handler: RegisteredStripeHandler): void {
    const list = this.byType.get(type) ?? [];
    list.push(handler);
    this.byType.set(type, list);
  }
}
