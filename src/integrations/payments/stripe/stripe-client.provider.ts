import { Inject, type Provider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Stripe from 'stripe';
import { stripeConfig } from '../stripe.config';
import { ResiliencePolicyRegistry } from '../../../core/resilience/policy-registry';

/**
 * The API version this code was written against. Pinned (not the account
 * default) so a dashboard upgrade cannot change response shapes under us;
 * typed as the SDK's latest so an SDK upgrade makes this a conscious change.
 */
export const STRIPE_API_VERSION: Stripe.StripeConfig['apiVersion'] = '2026-10-28.endive';

/** Injection token of the configured SDK client (`null` when Stripe is not configured). */
export const STRIPE_CLIENT = Symbol('STRIPE_CLIENT');
export const InjectStripeClient = (): ParameterDecorator & PropertyDecorator => Inject(STRIPE_CLIENT);

/**
 * SDK options from our config. `maxNetworkRetries: 0`: the resilience layer
 * is the only retry layer, so its attempt counts and backoff are the truth.
 * `timeout` is the `stripe` policy's timeout (`RESILIENCE_STRIPE_TIMEOUT_MS`):
 * one timeout per provider. stripe-node takes no AbortSignal per request, so
 * its own timeout is what ends the socket of an attempt the policy gave up on.
 * `STRIPE_API_BASE` (e.g. `http://127.0.0.1:12111`) points the real SDK at
 * stripe-mock or the test suite's contract server.
 */
export function stripeClientOptions(config: ConfigType<typeof stripeConfig>, timeoutMs: number): Stripe.StripeConfig {
  const options: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
    typescript: true,
    appInfo: { name: 'portico' },
  };
  if (config.apiBase !== undefined) {
    const url = new URL(config.apiBase);
    options.protocol = url.protocol === 'http:' ? 'http' : 'https';
    options.host = url.hostname;
    options.port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
  }
  return options;
}

export const stripeClientProvider: Provider = {
  provide: STRIPE_CLIENT,
  inject: [stripeConfig.KEY, ResiliencePolicyRegistry],
  useFactory: (config: ConfigType<typeof stripeConfig>, resilience: ResiliencePolicyRegistry): Stripe | null =>
    config.configured && config.secretKey !== undefined
      ? new Stripe(config.secretKey, stripeClientOptions(config, resilience.settingsFor('stripe').timeoutMs))
      : null,
};
