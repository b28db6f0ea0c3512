import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { CookieOptions, Request, Response } from 'express';
import { appConfig } from '../../../config/app.config';
import type { IssuedSession } from './sessions.service';

export const ACCESS_COOKIE = 'portico_session';
export const REFRESH_COOKIE = 'portico_refresh';

/**
 * The session cookies: httpOnly (scripts never see the tokens), SameSite=Lax
 * (not sent with cross-site POSTs), Secure on HTTPS or in production. The
 * refresh cookie is sent only to `/auth` (refresh, logout).
 */
@Injectable()
export class SessionCookies {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  set(req: Request, res: Response, session: IssuedSession): void {
    res.cookie(ACCESS_COOKIE, session.accessToken, { ...this.base(req, '/'), expires: session.accessTokenExpiresAt });
    res.cookie(REFRESH_COOKIE, session.refreshToken, {
      ...this.base(req, '/auth'),
      expires: session.refreshTokenExpiresAt,
    });
  }

  clear(req: Request, res: Response): void {
    res.clearCookie(ACCESS_COOKIE, this.base(req, '/'));
    res.clearCookie(REFRESH_COOKIE, this.base(req, '/auth'));
  }

  /** Options for any auth cookie at `path` (the login state cookie uses them too). */
  base(req: Request, path: string): CookieOptions {
    return { httpOnly: true, sameSite: 'lax', secure: req.secure || this.app.env === 'production', path };
  }
}

/** A cookie's value from cookie-parser's `req.cookies`, if it is a non-empty string. */
export function readCookie(req: Request, name: string): string | undefined {
  const cookies: unknown = req.cookies;
  if (typeof cookies !== 'object' || cookies === null) return undefined;
  const value: unknown = (cookies as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
