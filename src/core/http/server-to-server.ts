import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Paths that only providers' servers call: the signed webhook receivers
 * (`/webhooks/stripe`, `/webhooks/sendgrid`). They authenticate by signature,
 * read no cookie and answer with a few bytes of JSON nobody renders, so the
 * protections that exist for browsers (security headers, cookie parsing,
 * CORS) do nothing there; without CORS a page on another origin cannot
 * even preflight one. Skipping them is about a fifth of webhook intake's CPU
 * (`BENCH_ONLY=middleware npm run bench:webhooks`). No route a browser calls may live under these.
 */
export const SERVER_TO_SERVER_PATH_PREFIXES: readonly string[] = ['/webhooks/'];

export function isServerToServerPath(url: string | undefined): boolean {
  return url !== undefined && SERVER_TO_SERVER_PATH_PREFIXES.some((prefix) => url.startsWith(prefix));
}

/** `middleware` on every path but the server-to-server ones: for what only protects browsers. */
export function forBrowsers(middleware: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (isServerToServerPath(req.url)) next();
    else void middleware(req, res, next);
  };
}

/** CORS options per request (Nest's `enableCors` delegate): none on server-to-server paths. */
export function corsForBrowsers<T extends object>(
  options: T,
): (req: IncomingMessage, callback: (error: Error | null, options: T | { origin: false }) => void) => void {
  const none = { origin: false as const };
  return (req, callback) => callback(null, isServerToServerPath(req.url) ? none : options);
}
