import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Stripe from 'stripe';
import { stripeConfig } from '../stripe.config';
import { ProviderNotConfiguredError } from '../../../core/errors/integration.error';
import { ProblemException } from '../../../core/errors/problem.exception';
import { isRecord } from '../handlers/stripe-objects';

/** What the inbox needs of a verified event. */
export interface VerifiedStripeEvent {
  readonly id: string;
  readonly type: string;
  readonly created: number;
  readonly livemode: boolean;
}

const badRequest = (detail: string, slug: string): ProblemException =>
  new ProblemException(400, detail, { slug, title: 'Invalid webhook' });

/**
 * Verifies `Stripe-Signature` with the SDK (`webhooks.constructEvent`)
 * against each configured secret in turn (several during rotation), within
 * the configured tolerance both ways (the SDK only rejects old timestamps),
 * then checks the event's shape and mode. Every refusal is a 400 problem
 * that says what was wrong without echoing secrets.
 */
@Injectable()
export class StripeSignatureVerifier {
  constructor(@Inject(stripeConfig.KEY) private readonly config: ConfigType<typeof stripeConfig>) {}

  /** `payload` is the raw body decoded as UTF-8 (the exact signed text, also what the inbox stores). */
  verify(payload: string | undefined, signature: string | undefined, nowMs = Date.now()): VerifiedStripeEvent {
    if (!this.config.configured)
      throw new ProviderNotConfiguredError('stripe', this.config.missing ?? [], 'webhooks.receive');
    if (signature === undefined || signature.trim() === '')
      throw badRequest('The Stripe-Signature header is missing', 'webhook-signature-missing');
    if (payload === undefined || payload.length === 0)
      throw badRequest('The webhook body is empty', 'webhook-malformed');
    const tolerance = this.config.webhookToleranceSeconds;
    const nowSeconds = Math.floor(nowMs / 1000);
    const timestamp = /(?:^|,)\s*t=(\d+)/.exec(signature)?.[1];
    if (timestamp !== undefined && Number(timestamp) - nowSeconds > tolerance) {
      throw badRequest(
        'The Stripe-Signature timestamp is in the future beyond the tolerance',
        'webhook-timestamp-out-of-tolerance',
      );
    }
    let stale = false;
    for (const secret of this.config.webhookSecrets) {
      let event: unknown;
      try {
        event = Stripe.webhooks.constructEvent(payload, signature, secret, tolerance, undefined, nowMs);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
          stale ||= /timestamp outside the tolerance/i.test(error.message);
          continue;
        }
        // The signature matched, but the signed bytes are not a (snapshot) event.
        throw error instanceof SyntaxError
          ? badRequest('The webhook body is not valid JSON', 'webhook-malformed')
          : badRequest('The webhook body is not a Stripe snapshot event', 'webhook-malformed');
      }
      return this.checked(event);
    }
    throw stale
      ? badRequest('The Stripe-Signature timestamp is older than the tolerance', 'webhook-timestamp-out-of-tolerance')
      : badRequest(
          'The Stripe-Signature header does not match the body for any configured secret',
          'webhook-signature-invalid',
        );
  }

  private checked(event: unknown): VerifiedStripeEvent {
    if (
      !isRecord(event) ||
      typeof event.id !== 'string' ||
      event.id === '' ||
      event.id.length > 255 ||
      typeof event.type !== 'string' ||
      event.type === '' ||
      event.type.length > 255 ||
      typeof event.created !== 'number' ||
      !Number.isSafeInteger(event.created) ||
      typeof event.livemode !== 'boolean' ||
      !isRecord(event.data)
    ) {
      throw badRequest(
        'The webhook body is not a Stripe event (id, type, created, livemode, data)',
        'webhook-malformed',
      );
    }
    if (event.livemode !== this.config.livemode) {
      throw badRequest(
        `The event is ${event.livemode ? 'live' : 'test'} mode but the configured key is ${this.config.livemode ? 'live' : 'test'} mode`,
        'webhook-wrong-mode',
      );
    }
    return { id: event.id, type: event.type, created: event.created, livemode: event.livemode };
  }
}
