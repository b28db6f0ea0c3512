import type { Request, Response } from 'express';
import passport, { type Strategy } from 'passport';

export type StrategyOutcome =
  | { readonly kind: 'redirected' }
  | { readonly kind: 'success'; readonly user: unknown; readonly info: unknown }
  | { readonly kind: 'fail'; readonly info: unknown }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * Runs one passport strategy on a request and reports what it did, without
 * server sessions. Passport binds its action functions onto the object it is
 * given, so each request gets its own object inheriting from the shared
 * strategy (concurrent logins must not share `success`/`fail`).
 */
export function runStrategy(
  strategy: Strategy,
  req: Request,
  res: Response,
  options: object,
): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const redirected = (): void => resolve({ kind: 'redirected' });
    res.once('finish', redirected);
    const done = (outcome: StrategyOutcome): void => {
      res.off('finish', redirected);
      resolve(outcome);
    };
    const perRequest = Object.create(strategy) as Strategy;
    const middleware = passport.authenticate(
      perRequest,
      { ...options, session: false },
      (error: unknown, user: unknown, info: unknown) => {
        if (error !== null && error !== undefined) done({ kind: 'error', error });
        else if (user === false || user === undefined || user === null) done({ kind: 'fail', info });
        else done({ kind: 'success', user, info });
      },
    ) as (req: Request, res: Response, next: (error?: unknown) => void) => void;
    middleware(req, res, (error?: unknown) => done({ kind: 'error', error }));
  });
}
