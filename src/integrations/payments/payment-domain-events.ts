/** Domain events emitted on `@nestjs/event-emitter` when a stored payment changes. */
export const PaymentDomainEvent = {
  succeeded: 'payment.succeeded',
  failed: 'payment.failed',
  canceled: 'payment.canceled',
  refunded: 'payment.refunded',
} as const;

export interface PaymentStatusEventPayload {
  readonly paymentId: string;
  readonly stripeId: string | null;
  readonly ownerId: string | null;
  readonly status: string;
  readonly amount: number;
  readonly currency: string;
  /** The receipt address given at creation (email sends the receipt on `payment.succeeded`). */
  readonly customerEmail: string | null;
  readonly description: string | null;
}

export interface PaymentRefundedEventPayload {
  readonly paymentId: string;
  readonly stripeId: string | null;
  readonly ownerId: string | null;
  readonly amount: number;
  readonly amountRefunded: number;
  readonly currency: string;
  readonly fullyRefunded: boolean;
}
