import { Logger } from '@nestjs/common';
import Stripe from 'stripe';
import {
  ProviderFailedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../../core/errors/integration.error';
import { mapStripeError } from './stripe-error.mapper';

type Raw = ConstructorParameters<typeof Stripe.errors.StripeError>[0];
const raw = (fields: Record<string, unknown>): Raw => fields;

describe(mapStripeError.name, () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('maps a card error to a 402 rejection carrying code and decline_code, not retryable', () => {
    const sut = mapStripeError(
      new Stripe.errors.StripeCardError(
        raw({ message: 'declined', code: 'card_declined', decline_code: 'do_not_honor', statusCode: 402 }),
      ),
      'op',
    );
    expect(sut).toBeInstanceOf(ProviderRejectedError);
    expect(sut).toMatchObject({
      httpStatus: 402,
      retryable: false,
      code: 'card_declined',
      details: { decline_code: 'do_not_honor' },
    });
  });

  it('maps invalid requests to 400 with a param, 422 without', () => {
    expect(
      mapStripeError(
        new Stripe.errors.StripeInvalidRequestError(raw({ message: 'bad', param: 'amount', statusCode: 400 })),
        'op',
      ),
    ).toMatchObject({ httpStatus: 400, details: { param: 'amount' } });
    expect(
      mapStripeError(new Stripe.errors.StripeInvalidRequestError(raw({ message: 'state', statusCode: 400 })), 'op'),
    ).toMatchObject({ httpStatus: 422 });
  });

  it('maps authentication and permission errors to 502, never retried, logged as errors', () => {
    for (const error of [
      new Stripe.errors.StripeAuthenticationError(raw({ message: 'x', statusCode: 401 })),
      new Stripe.errors.StripePermissionError(raw({ message: 'x', statusCode: 403 })),
    ]) {
      expect(mapStripeError(error, 'op')).toMatchObject({ httpStatus: 502, retryable: false });
    }
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringMatching(/check STRIPE_SECRET_KEY/));
  });

  it('retries 429, 409 and 5xx unless Stripe-Should-Retry says false; true forces a retry', () => {
    expect(
      mapStripeError(new Stripe.errors.StripeRateLimitError(raw({ message: 'x', statusCode: 429 })), 'op'),
    ).toBeInstanceOf(RateLimitedError);
    expect(
      mapStripeError(
        new Stripe.errors.StripeRateLimitError(
          raw({ message: 'x', statusCode: 429, headers: { 'stripe-should-retry': 'false' } }),
        ),
        'op',
      ),
    ).toMatchObject({ retryable: false });
    expect(
      mapStripeError(new Stripe.errors.StripeAPIError(raw({ message: 'x', statusCode: 409 })), 'op'),
    ).toMatchObject({ retryable: true, httpStatus: 503 });
    expect(
      mapStripeError(new Stripe.errors.StripeAPIError(raw({ message: 'x', statusCode: 503 })), 'op'),
    ).toBeInstanceOf(ProviderUnavailableError);
    const refused = mapStripeError(
      new Stripe.errors.StripeAPIError(
        raw({ message: 'x', statusCode: 500, headers: { 'stripe-should-retry': 'false' } }),
      ),
      'op',
    );
    expect(refused).toBeInstanceOf(ProviderFailedError);
    expect(refused).toMatchObject({ retryable: false });
    expect(
      mapStripeError(
        new Stripe.errors.StripeAPIError(
          raw({ message: 'x', statusCode: 400, headers: { 'stripe-should-retry': 'true' } }),
        ),
        'op',
      ),
    ).toMatchObject({ retryable: true });
  });

  it('maps connection errors to retryable unavailable, timeouts to 504', () => {
    expect(
      mapStripeError(
        new Stripe.errors.StripeConnectionError(raw({ message: 'An error occurred with our connection to Stripe.' })),
        'op',
      ),
    ).toMatchObject({ retryable: true, httpStatus: 503 });
    expect(
      mapStripeError(
        new Stripe.errors.StripeConnectionError(
          raw({ message: 'Request aborted due to timeout being reached (300ms)' }),
        ),
        'op',
      ),
    ).toBeInstanceOf(ProviderTimeoutError);
  });

  it('passes through errors that are not Stripe’s', () => {
    const bug = new TypeError('ours');
    expect(mapStripeError(bug, 'op')).toBe(bug);
  });

  it('keeps the original error as cause', () => {
    const original = new Stripe.errors.StripeAPIError(raw({ message: 'x', statusCode: 502 }));
    expect((mapStripeError(original, 'paymentIntents.create') as Error).cause).toBe(original);
  });
});
