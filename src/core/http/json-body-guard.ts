import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonShapeError, findJsonShapeViolation } from './json-shape';

type RawBodyCarrier = IncomingMessage & { rawBody?: Buffer };

/**
 * body-parser `verify` hook for JSON: keeps the exact bytes (`req.rawBody`,
 * for webhook signatures) and refuses a hostile shape before `JSON.parse`.
 * @throws JsonShapeError (400) on nesting deeper than `maxDepth` or a prototype key
 */
export function jsonShapeVerifier(maxDepth: number): (req: IncomingMessage, res: ServerResponse, body: Buffer) => void {
  return (req, _res, body) => {
    (req as RawBodyCarrier).rawBody = body;
    const violation = findJsonShapeViolation(body, maxDepth);
    if (violation !== undefined) throw new JsonShapeError(violation);
  };
}
