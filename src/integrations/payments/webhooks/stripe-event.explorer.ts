import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { findDecoratedMethods } from '../../../core/discovery/decorated-methods';
import { ON_STRIPE_EVENT, type StripeEventHandlerMetadata } from './on-stripe-event.decorator';
import type { RegisteredStripeHandler, StripeEventHandler } from './stripe-event.types';

interface Registration extends RegisteredStripeHandler {
  readonly exclusive: boolean;
}

/**
 * Finds every `@OnStripeEvent` method of every provider at start-up (the
 * way `@nestjs/schedule` finds its jobs) and answers which handlers an event
 * type has: the specific ones first, then the `'*'` ones. Methods are taken
 * from the instance, so decorators that wrap them in place (`@Monitored`,
 * `@Resilient`) apply. Logs "type → Class.method" and refuses a second
 * handler for a type whose handler is `exclusive`.
 */
@Injectable()
export class StripeEventExplorer implements OnModuleInit {
  private readonly logger = new Logger(StripeEventExplorer.name);
  private readonly byType = new Map<string, Registration[]>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const { name, metadata, call } of findDecoratedMethods<StripeEventHandlerMetadata, StripeEventHandler>(
      this.discovery,
      this.scanner,
      this.reflector,
      ON_STRIPE_EVENT,
    )) {
      for (const type of metadata.types) this.add(type, { name, call, exclusive: metadata.exclusive });
    }
    for (const [type, handlers] of this.byType)
      this.logger.log(`${type} → ${handlers.map((handler) => handler.name).join(', ')}`);
  }

  /** Handlers for `type`: those registered for it, then the `'*'` ones. */
  handlersFor(type: string): readonly RegisteredStripeHandler[] {
    return [...(this.byType.get(type) ?? []), ...(type === '*' ? [] : (this.byType.get('*') ?? []))];
  }

  /** Whether an event of `type` has anything to run (else the inbox stores it as done). */
  hasHandlers(type: string): boolean {
    return this.byType.has(type) || this.byType.has('*');
  }

  private add(type: string, handler: Registration): void {
    const list = this.byType.get(type) ?? [];
    const alone = list.find((other) => other.exclusive) ?? (handler.exclusive && list.length > 0 ? handler : undefined);
    if (alone !== undefined) {
      const others = [...list, handler].filter((other) => other !== alone).map((other) => other.name);
      throw new Error(
        `Stripe event ${type}: ${alone.name} must be its only handler (exclusive), but ${others.join(', ')} also handle(s) it`,
      );
    }
    list.push(handler);
    this.byType.set(type, list);
  }
}
