import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../../../config/auth.config';

const MAX_LENGTH = 2048;

/**
 * Where a finished login may send the browser: `returnTo` only when it is an
 * absolute http(s) URL whose origin is exactly on AUTH_REDIRECT_ALLOWLIST,
 * otherwise AUTH_DEFAULT_REDIRECT_URL (default: this app's `/`). Relative
 * values are refused too: `//evil.test`, `/\evil.test` and friends are how
 * open redirects slip through path checks.
 */
@Injectable()
export class ReturnToPolicy {
  private readonly allowed: ReadonlySet<string>;
  readonly defaultTarget: string;

  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>) {
    this.allowed = new Set(config.redirectAllowlist.map((origin) => new URL(origin).origin));
    this.defaultTarget = config.defaultRedirectUrl ?? '/';
  }

  /** A safe target for `returnTo` (normalised), or the default. */
  resolve(returnTo: unknown): string {
    if (typeof returnTo !== 'string' || returnTo === '' || returnTo.length > MAX_LENGTH) return this.defaultTarget;
    let url: URL;
    try {
      url = new URL(returnTo);
    } catch {
      return this.defaultTarget;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return this.defaultTarget;
    if (url.username !== '' || url.password !== '') return this.defaultTarget;
    return this.allowed.has(url.origin) ? url.href : this.defaultTarget;
  }

  /** `target` with `error=<code>` added to its query. */
  withError(target: string, code: string): string {
    const absolute = /^https?:\/\//i.test(target);
    const url = new URL(target, 'http://relative.invalid');
    url.searchParams.set('error', code);
    return absolute ? url.href : `${url.pathname}${url.search}${url.hash}`;
  }
}
