import { type IncomingMessage, createServer } from 'node:http';
import { join } from 'node:path';
import { expressServer } from '../../src/core/http/express.adapter';
import { announce, openInbox } from './webhook-baseline';

/** (b) Plain Express 5 with the JSON parser keeping the raw body, as Nest's `rawBody: true` does: the framework floor. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express') as typeof import('express');
const handle = openInbox(join(process.env.DATA_DIR ?? '.', 'express.sqlite'));
const app = express();
app.disable('x-powered-by');
app.use(
  express.json({
    limit: '1mb',
    verify: (req: IncomingMessage & { rawBody?: Buffer }, _res, buf: Buffer) => {
      req.rawBody = buf;
    },
  }),
);
app.post('/webhooks/stripe', (req, res) => {
  const raw = (req as typeof req & { rawBody?: Buffer }).rawBody?.toString('utf8') ?? '';
  const result = handle(raw, req.get('stripe-signature'));
  res.status(result.status).type('application/json').send(result.body);
});
// (b3): the server Portico's adapter builds, whose requests and responses start on Express's prototypes.
const server = process.env.BENCH_EXPRESS_PROTOTYPES === '1' ? expressServer(app) : createServer(app);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announce(typeof address === 'object' && address !== null ? address.port : 0);
});
