import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from '../errors/problem.exception';
import { isStreamedBodyPath } from './streamed-bodies';

/**
 * No route takes an HTML form body (`application/x-www-form-urlencoded`), so
 * none is parsed: a form is what a cross-site page can submit without the
 * browser asking first (no CORS preflight), so refusing it closes that door
 * for every route, whatever credentials ride along. 415 problem; uploads
 * (multipart, files) and signed local uploads (streamed) are not forms.
 * Add a parser for a specific route here if one ever needs forms.
 */
export function refuseFormBodies(req: Request, _res: Response, next: NextFunction): void {
  const essence = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (essence !== 'application/x-www-form-urlencoded' || isStreamedBodyPath(req.url)) {
    next();
    return;
  }
  next(
    new ProblemException(415, 'Form-encoded bodies are not accepted; send application/json', {
      slug: 'unsupported-media-type',
      title: 'Unsupported Media Type',
    }),
  );
}
