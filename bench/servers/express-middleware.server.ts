import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { destination } from 'pino';
import pinoHttp from 'pino-http';
import { assignRequestId } from '../../src/core/http/request-id';
import { REQUEST_LOG_SERIALIZERS } from '../../src/core/logging/logging.module';
import { announce, openInbox } from './webhook-baseline';

/**
 * (b1) Express 5 with the middleware Portico puts in front of every route, set
 * up as Portico sets it up (request id; one pino-http line per request at
 * LOG_LEVEL, lean serializers, asynchronous stdout; JSON parser keeping the
 * raw body; helmet; cookie-parser; CORS) and the baseline's verify + insert,
 * but no Nest: what the middleware costs apart from Nest's own.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express') as typeof import('express');
// What Nest's enableCors() uses (no @types package installed).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cors = require('cors') as (options: { origin: boolean }) => import('express').RequestHandler;
const handle = openInbox(join(process.env.DATA_DIR ?? '.', 'express-mw.sqlite'));
// BENCH_MIDDLEWARE: which of them to mount (comma-separated), to see what each costs; all by default.
const mounted = new Set((process.env.BENCH_MIDDLEWARE ?? 'log,helmet,cookies,cors').split(','));
const app = express();
app.disable('x-powered-by');
app.use(assignRequestId);
if (mounted.has('log'))
  app.use(
    pinoHttp(
      {
        level: process.env.LOG_LEVEL ?? 'info',
        serializers: REQUEST_LOG_SERIALIZERS,
      },
      destination({ dest: 1, sync: false }),
    ),
  );
app.use(
  express.json({
    limit: '1mb',
    verify: (req: IncomingMessage & { rawBody?: Buffer }, _res, buf: Buffer) => {
      req.rawBody = buf;
    },
  }),
);
if (mounted.has('helmet')) app.use(helmet());
if (mounted.has('cookies')) app.use(cookieParser());
if (mounted.has('cors')) app.use(cors({ origin: true }));
app.post('/webhooks/stripe', (req, res) => {
  const raw = (req as typeof req & { rawBody?: Buffer }).rawBody?.toString('utf8') ?? '';
  const result = handle(raw, req.get('stripe-signature'));
  res.status(result.status).type('application/json').send(result.body);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announce(typeof address === 'object' && address !== null ? address.port : 0);
});
