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
 * @OnDurableEvent('payment.succeeded', { when: (receipts: Receipts, payload) => receipts.wants(payload) })
 * async sendReceipt(payload: unknown): Promise<void> { ... }
 * ```
 */
export interface OnDurableEventOptions<C extends object> {
  /**
   * Whether this consumer acts on a payload at all, asked when the event is
   * published: false records no row for it. For reactions that configuration
   * turns off or that a payload cannot trigger (a receipt with no address),
   * so they cost nothing on the state change's transaction. Delivery still
   * checks what it needs: rows recorded earlier arrive regardless.
   */
  readonly when?: (consumer: C, payload: object) => boolean;
}

/** What `@OnDurableEvent` stores. */
export interface DurableEventMetadata {
  readonly name: string;
  readonly when?: (consumer: object, payload: object) => boolean;
}

export const OnDurableEvent = <C extends object = object>(
  name: string,
  options: OnDurableEventOptions<C> = {},
): MethodDecorator =>
  SetMetadata<string, DurableEventMetadata>(ON_DURABLE_EVENT, {
    name,
    when: options.when as DurableEventMetadata['when'],
  });
