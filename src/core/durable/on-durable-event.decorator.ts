import { SetMetadata } from '@nestjs/common';

export const ON_DURABLE_EVENT = 'portico:on-durable-event';

/**
 * Declares a provider method a durable consumer of a domain event: the event
 * is recorded for it in the same transaction as the state change it reports
 * (`DurableEvents.publish`) and delivered at least once, retried with backoff
 * until it resolves, dead-lettered after the queue's last attempt. Make it
 * idempotent. Reactions that may be lost use `@OnEvent` (the in-process
 * emitter) instead. Only stores metadata; `DurableEvents` finds the methods.
 *
 * @example
 * ```ts
 * @OnDurableEvent('payment.succeeded')
 * async sendReceipt(payload: unknown): Promise<void> { ... }
 * ```
 */
export const OnDurableEvent = (name: string): MethodDecorator => SetMetadata(ON_DURABLE_EVENT, name);
