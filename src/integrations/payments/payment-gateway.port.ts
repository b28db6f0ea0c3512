import { Inject } from '@nestjs/common';

/** What the payment provider says about one payment intent. */
export interface GatewayIntent {
  /** Provider id (`pi_…`). */
  readonly providerId: string;
  readonly status: string;
  readonly amount: number;
  readonly amountReceived: number;
  readonly currency: string;
  readonly clientSecret: string | null;
  /** When the provider created it, Unix seconds. */
  readonly created: number;
}

export interface GatewayRefund {
  readonly providerId: string;
  readonly status: string;
  readonly amount: number;
}

export interface CreateIntentInput {
  readonly amount: number;
  readonly currency: string;
  readonly description?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly receiptEmail?: string;
  readonly captureMethod?: 'automatic' | 'manual';
  /** The owner's Stripe customer (`cus_…`), so saved payment methods and `setup_future_usage` work. */
  readonly customer?: string;
  /** Save the payment method on `customer` (requires it). */
  readonly setupFutureUsage?: 'on_session' | 'off_session';
  /** Sent as `Idempotency-Key`; the same for every retry of this logical operation. */
  readonly idempotencyKey: string;
}

export interface IntentActionInput {
  readonly providerId: string;
  readonly idempotencyKey: string;
}

export interface CreateRefundInput {
  readonly paymentIntentId: string;
  /** Minor units; omitted → the rest of what was captured. */
  readonly amount?: number;
  readonly reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
  readonly metadata: Readonly<Record<string, string>>;
  readonly idempotencyKey: string;
}

export interface CreateCustomerInput {
  /** Our owner reference, kept in the customer's metadata. */
  readonly ownerId: string;
  readonly idempotencyKey: string;
}

export interface ListEventsInput {
  /** Unix seconds; events created at or after this time. */
  readonly createdGte: number;
  /** Cursor: the last event id of the previous page. */
  readonly startingAfter?: string;
  readonly limit: number;
}

export interface GatewayEventPage {
  /** Raw event objects as the provider sent them (newest first). */
  readonly events: ReadonlyArray<{ readonly id: string; readonly raw: string }>;
  readonly hasMore: boolean;
}

/**
 * The payment provider, as the payments service needs it. Implementations
 * throw `IntegrationError`s (never vendor errors) and send every mutating
 * call with the given idempotency key.
 */
export interface PaymentGateway {
  createIntent(input: CreateIntentInput): Promise<GatewayIntent>;
  retrieveIntent(providerId: string): Promise<GatewayIntent>;
  captureIntent(input: IntentActionInput): Promise<GatewayIntent>;
  cancelIntent(input: IntentActionInput): Promise<GatewayIntent>;
  createRefund(input: CreateRefundInput): Promise<GatewayRefund>;
  /** A Stripe customer (`cus_…`) for one owner. */
  createCustomer(input: CreateCustomerInput): Promise<{ readonly providerId: string }>;
  listEvents(input: ListEventsInput): Promise<GatewayEventPage>;
}

/** Injection token of the `PaymentGateway` port. */
export const PaymentGateway = Symbol('PaymentGateway');

export const InjectPaymentGateway = (): ParameterDecorator & PropertyDecorator => Inject(PaymentGateway);
