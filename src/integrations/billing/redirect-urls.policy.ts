import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../../config/app.config';
import { authConfig } from '../../config/auth.config';
import { ValidationProblemException } from '../../core/errors/validation-problem.exception';

/**
 * Where Stripe may send a customer back to: only this app (PUBLIC_URL) and
 * the origins on AUTH_REDIRECT_ALLOWLIST, the same list login redirects use.
 * A Checkout or portal session with a foreign URL would make Stripe an open
 * redirector under our name, so it is refused before Stripe is called.
 */
@Injectable()
export class RedirectUrlsPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
  ) {
    this.allowed = new Set([new URL(app.publicUrl).origin, ...auth.redirectAllowlist.map((o) => new URL(o).origin)]);
  }

  /** @throws ValidationProblemException (400) naming each field whose URL is not on the list. */
  assertAllowed(urls: Readonly<Record<string, string>>): void {
    const refused = Object.entries(urls).filter(([, value]) => !this.allows(value));
    if (refused.length === 0) return;
    throw new ValidationProblemException(
      refused.map(([field]) => ({
        field,
        message: `${field} must be on PUBLIC_URL or an origin on AUTH_REDIRECT_ALLOWLIST`,
      })),
    );
  }

  private allows(value: string): boolean {
    let url: URL;
    try {
      // Stripe's placeholder is not URL syntax everywhere; it never changes the origin.
      url = new URL(value.replace('{CHECKOUT_SESSION_ID}', 'cs'));
    } catch {
      return false;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
    if (url.username !== '' || url.password !== '') return false;
    return this.allowed.has(url.origin);
  }
}
