import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { appConfig } from '../../config/app.config';
import { authConfig } from '../../config/auth.config';
import { ProblemException } from '../errors/problem.exception';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Our own origins (PUBLIC_URL's and those on AUTH_REDIRECT_ALLOWLIST), kept in
 * this one place: the CSRF check below and return URLs (`ownsUrl`) use them.
 *
 * CSRF defence for requests a browser authenticates by itself (the session
 * and refresh cookies). SameSite=Lax keeps the cookies off most cross-site
 * requests, but not off same-site ones (a sibling subdomain) or older
 * browsers; so a state-changing cookie request must also say where it comes
 * from: its `Origin` must be `PUBLIC_URL`'s origin or one on
 * `AUTH_REDIRECT_ALLOWLIST`, or, without `Origin`, `Sec-Fetch-Site` must be
 * `same-origin` or `none` (typed by the user). A request with neither header
 * is refused: every browser that sends cookies sends one of them.
 */
@Injectable()
export class SameOriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
  ) {
    this.allowed = new Set([new URL(app.publicUrl).origin, ...auth.redirectAllowlist.map((o) => new URL(o).origin)]);
  }

  /** True for methods that change state (the only ones a cross-site attacker gains from). */
  isStateChanging(req: Request): boolean {
    return STATE_CHANGING.has(req.method.toUpperCase());
  }

  /** True when the request comes from one of our own origins. */
  allows(req: Request): boolean {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origin !== '') return this.allowed.has(origin.toLowerCase());
    const site = req.headers['sec-fetch-site'];
    return site === 'same-origin' || site === 'none';
  }

  /**
   * True for an absolute http(s) URL, without credentials, on one of our origins: where we may
   * send a browser back to (Stripe's Checkout and portal return URLs).
   */
  ownsUrl(value: string): boolean {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
    if (url.username !== '' || url.password !== '') return false;
    return this.allowed.has(url.origin);
  }

  /** @throws ProblemException 403 `cross-origin-request` unless `allows(req)`. */
  assertAllowed(req: Request): void {
    if (this.allows(req)) return;
    throw new ProblemException(
      403,
      'A cookie-authenticated request that changes state must come from PUBLIC_URL or an origin on AUTH_REDIRECT_ALLOWLIST (Origin header)',
      { slug: 'cross-origin-request', title: 'Cross-origin request refused' },
    );
  }
}
