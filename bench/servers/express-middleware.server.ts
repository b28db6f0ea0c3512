import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import helmet from 'helmet';
import pinoHttp from 'pino-http';
import { assignRequestId } from '../../src/core/http/request-id';
import { announce, openInbox } from './webhook-baseline';

/**
 * (c) Express 5 with the middleware Portico puts in front of every route
 * (request id, pino-http at LOG_LEVEL, helmet, CORS, JSON parser keeping the
 * raw body) but no Nest: separates the middleware's cost from Nest's own.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express') as typeof import('express');
// What Nest's enableCors() uses (no @types package installed).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cors = require('cors') as (options: { origin: boolean }) => import('express').RequestHandler;
const handle = openInbox(join(process.env.DATA_DIR ?? '.', 'express-mw.sqlite'));
const app = express();
app.disable('x-powered-by');
app.use(assignRequestId);
app.use(pinoHttp({ level: process.env.LOG_LEVEL ?? 'info' }));
app.use(
  express.json({
    limit: '1mb',
    verify: (req: IncomingMessage & { rawBody?: Buffer }, _res, buf: Buffer) => {
      req.rawBody = buf;
    },
  }),
);
app.use(helmet());
app.use(cors({ origin: true }));
app.post('/webhooks/stripe', (req, res) => {
  const raw = (req as typeof req & { rawBody?: Buffer }).rawBody?.toString('utf8') ?? '';
  const result = handle(raw, req.get('stripe-signature'));
  res.status(result.status).type('application/json').send(result.body);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announce(typeof address === 'object' && address !== null ? address.port : 0);
});
