import type { NextFunction, Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, problemType } from '../errors/problem';
import { requestIdOf } from './request-id';

/** Paths a worker-only process still serves: probes and metrics. */
export function isOperationalPath(path: string): boolean {
  return path === '/metrics' || path === '/health' || path.startsWith('/health/');
}

/**
 * Express middleware for `PORTICO_ROLE=worker` processes: anything but
 * `/health/*` and `/metrics` is 404 problem+json, so a worker put behind
 * the load balancer by mistake cannot take traffic (a webhook it answered
 * would still be stored, but the API would be half there).
 */
export function operationalRoutesOnly(req: Request, res: Response, next: NextFunction): void {
  if (isOperationalPath(req.path)) {
    next();
    return;
  }
  const requestId = requestIdOf(req);
  res
    .status(404)
    .type(PROBLEM_CONTENT_TYPE)
    .send(
      JSON.stringify({
        type: problemType('not-found'),
        title: 'Not Found',
        status: 404,
        detail: 'This process runs PORTICO_ROLE=worker: it serves only /health/* and /metrics',
        instance: req.path,
        ...(requestId === undefined ? {} : { requestId }),
      }),
    );
}
