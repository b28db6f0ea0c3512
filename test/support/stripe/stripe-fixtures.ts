import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { TEST_API_KEYS } from '../api-keys';
import type { StripeContractServer } from './stripe-contract.server';

export const WEBHOOK_SECRET = 'whsec_portico_test_primary_0123456789';
export const ROTATED_SECRET = 'whsec_portico_test_rotated_9876543210';

/** Environment for an app that talks to `server` and accepts webhooks signed with WEBHOOK_SECRET. */
export function stripeTestEnv(
  server: StripeContractServer,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    API_KEYS: TEST_API_KEYS,
    STRIPE_SECRET_KEY: server.secretKey,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: server.url,
    RESILIENCE_STRIPE_TIMEOUT_MS: '1500',
    ...extra,
  };
}

export interface IntentFields {
  readonly id: string;
  readonly amount?: number;
  readonly currency?: string;
  readonly amountReceived?: number;
  readonly status?: string;
  readonly description?: string;
  readonly receiptEmail?: string;
  readonly metadata?: Record<string, string>;
}

let sequence = 0;

export function eventId(): string {
  sequence += 1;
  return `evt_${randomBytes(9).toString('hex')}${sequence.toString(36)}`;
}

/** A Stripe snapshot event as the API version we pin renders it. */
export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  created: number,
  options: { id?: string; livemode?: boolean } = {},
): Record<string, unknown> & { id: string; created: number } {
  return {
    id: options.id ?? eventId(),
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    data: { object },
    livemode: options.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export function intentObject(fields: IntentFields): Record<string, unknown> {
  const amount = fields.amount ?? 1000;
  return {
    id: fields.id,
    object: 'payment_intent',
    amount,
    amount_received: fields.amountReceived ?? (fields.status === 'succeeded' ? amount : 0),
    currency: fields.currency ?? 'eur',
    status: fields.status ?? 'requires_payment_method',
    capture_method: 'automatic_async',
    description: fields.description ?? null,
    receipt_email: fields.receiptEmail ?? null,
    metadata: fields.metadata ?? {},
    livemode: false,
  };
}

export function intentEvent(
  type: string,
  fields: IntentFields,
  created: number,
  options: { id?: string } = {},
): Record<string, unknown> & { id: string; created: number } {
  const status: Record<string, string> = {
    'payment_intent.succeeded': 'succeeded',
    'payment_intent.processing': 'processing',
    'payment_intent.payment_failed': 'requires_payment_method',
    'payment_intent.canceled': 'canceled',
    'payment_intent.requires_action': 'requires_action',
    'payment_intent.amount_capturable_updated': 'requires_capture',
  };
  return stripeEvent(type, intentObject({ status: status[type], ...fields }), created, options);
}

export function chargeRefundedEvent(
  paymentIntent: string,
  amountRefunded: number,
  created: number,
): Record<string, unknown> & { id: string; created: number } {
  return stripeEvent(
    'charge.refunded',
    {
      id: `ch_${randomBytes(8).toString('hex')}`,
      object: 'charge',
      payment_intent: paymentIntent,
      amount_refunded: amountRefunded,
      refunded: true,
    },
    created,
  );
}

/** Headers for a delivery of `payload`, signed like Stripe does (the SDK's own test helper). */
export function signedHeaders(
  payload: string,
  options: { secret?: string; timestamp?: number } = {},
): Record<string, string> {
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRET,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
  });
  return { 'Content-Type': 'application/json', 'Stripe-Signature': signature };
}

export async function deliver(
  appUrl: string,
  payload: string,
  options: { secret?: string; timestamp?: number } = {},
): Promise<Response> {
  return fetch(`${appUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: signedHeaders(payload, options),
    body: payload,
  });
}
