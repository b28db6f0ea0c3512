import { Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { parseRetryAfter } from '../../../core/http/retry-after';
import {
  ProviderFailedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../../core/errors/integration.error';

const PROVIDER = 'stripe';
const logger = new Logger('StripeErrors');

/**
 * Translates an error thrown by the Stripe SDK into our `IntegrationError`
 * family, deciding `retryable` the way stripe-node itself would (connection
 * errors, 409 lock timeouts and 5xx yes; `Stripe-Should-Retry` overrides)
 * and which status our caller sees. Anything that is not a Stripe error is
 * returned unchanged (it is a bug of ours, not a provider answer).
 */
export function mapStripeError(error: unknown, operation: string): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const upstreamStatus = error.statusCode;
  const shouldRetry = header(error, 'stripe-should-retry');
  // Stripe's own message and request id go to the log only; callers get our wording plus code and param.
  const base = {
    provider: PROVIDER,
    operation,
    upstreamStatus,
    cause: error,
    code: error.code,
    upstreamBody: error.message,
    upstreamRequestId: error.requestId,
  };
  const retryOverride = shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : undefined;

  if (error instanceof Stripe.errors.StripeCardError) {
    // Card-error messages are written by Stripe to be shown to the paying customer.
    return new ProviderRejectedError(error.message, {
      ...base,
      httpStatus: 402,
      title: 'Payment declined',
      details: compact({ decline_code: error.decline_code, param: error.param }),
    });
  }
  if (
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError
  ) {
    // Our key is wrong or lacks a permission: an operator must act; retrying cannot help.
    logger.error(`Stripe refused our credentials for ${operation} (${upstreamStatus}): check STRIPE_SECRET_KEY`);
    return new ProviderRejectedError('The payment provider refused our credentials', {
      ...base,
      httpStatus: 502,
      title: 'Provider configuration error',
    });
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return new ProviderRejectedError('Stripe refused a reused idempotency key with different parameters', {
      ...base,
      httpStatus: 409,
      title: 'Idempotency conflict at the provider',
    });
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) {
    return new RateLimitedError('Stripe rate limit reached', {
      ...base,
      retryable: retryOverride ?? true,
      retryAfterMs: retryAfterMs(error),
    });
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const timedOut = /timeout/i.test(error.message);
    return timedOut
      ? new ProviderTimeoutError('Stripe did not answer in time', { ...base, retryable: true })
      : new ProviderUnavailableError('Could not reach Stripe', { ...base, retryable: true });
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    // A named parameter is the caller's input; otherwise the request was well-formed but refused in this state.
    const what = error.param ? ` (parameter ${error.param})` : '';
    return new ProviderRejectedError(`The payment provider refused the request${what}`, {
      ...base,
      httpStatus: error.param ? 400 : 422,
      title: 'The payment provider refused the request',
      details: compact({ param: error.param }),
    });
  }
  if (upstreamStatus === 409 || (upstreamStatus !== undefined && upstreamStatus >= 500)) {
    const retryable = retryOverride ?? true;
    return retryable
      ? new ProviderUnavailableError(`Stripe answered ${upstreamStatus}`, {
          ...base,
          retryable,
          retryAfterMs: retryAfterMs(error),
        })
      : new ProviderFailedError(`Stripe answered ${upstreamStatus}`, { ...base, retryable });
  }
  return new ProviderFailedError(`Stripe call failed (${upstreamStatus ?? 'no answer'})`, {
    ...base,
    retryable: retryOverride ?? false,
  });
}

/** Runs a Stripe SDK call, rethrowing its errors as `IntegrationError`s. */
export async function callStripe<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapStripeError(error, operation);
  }
}

function header(error: Stripe.errors.StripeError, name: string): string | undefined {
  const value = error.headers?.[name];
  return typeof value === 'string' ? value : undefined;
}

function retryAfterMs(error: Stripe.errors.StripeError): number | undefined {
  return parseRetryAfter(header(error, 'retry-after'));
}

function compact(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== null),
  );
}
