import { Injectable } from '@nestjs/common';
import { ValidationProblemException } from '../../core/errors/validation-problem.exception';
import { SameOriginPolicy } from '../../core/security/same-origin.policy';

/**
 * Where Stripe may send a customer back to: only this app (PUBLIC_URL) and
 * the origins on AUTH_REDIRECT_ALLOWLIST, the origins the CSRF check trusts
 * (`SameOriginPolicy.ownsUrl`). A Checkout or portal session with a foreign
 * URL would make Stripe an open redirector under our name, so it is refused
 * before Stripe is called.
 */
@Injectable()
export class RedirectUrlsPolicy {
  constructor(private readonly origins: SameOriginPolicy) {}

  /** @throws ValidationProblemException (400) naming each field whose URL is not on the list. */
  assertAllowed(urls: Readonly<Record<string, string>>): void {
    // Stripe's placeholder is not URL syntax everywhere; it never changes the origin.
    const refused = Object.entries(urls).filter(
      ([, value]) => !this.origins.ownsUrl(value.replace('{CHECKOUT_SESSION_ID}', 'cs')),
    );
    if (refused.length === 0) return;
    throw new ValidationProblemException(
      refused.map(([field]) => ({
        field,
        message: `${field} must be on PUBLIC_URL or an origin on AUTH_REDIRECT_ALLOWLIST`,
      })),
    );
  }
}
