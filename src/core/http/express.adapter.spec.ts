import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestApplicationOptions } from '@nestjs/common';
import type { Express } from 'express';
import { PorticoExpressAdapter, isPlainConstructor } from './express.adapter';

interface Seen {
  readonly request: object | null;
  readonly response: object | null;
}

/** Serves one JSON route through the adapter's server; returns the prototypes each request arrived with. */
async function serve(options: NestApplicationOptions): Promise<{ app: Express; seen: Seen; body: unknown }> {
  const adapter = new PorticoExpressAdapter();
  adapter.initHttpServer(options);
  const app = adapter.getInstance<Express>();
  app.get('/hello', (req, res) => {
    res.json({ from: req.get('x-from') });
  });
  const server = adapter.getHttpServer() as Server;
  let seen: Seen = { request: null, response: null };
  // Before Express's handler, which would set the prototypes itself.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    seen = { request: Object.getPrototypeOf(req) as object, response: Object.getPrototypeOf(res) as object };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/hello`, { headers: { 'x-from': 'test' } });
    return { app, seen, body: await response.json() };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('PorticoExpressAdapter', () => {
  it('creates requests and responses on the Express prototypes, so Express has no prototype to change', async () => {
    const { app, seen, body } = await serve({});
    expect(seen.request).toBe(app.request);
    expect(seen.response).toBe(app.response);
    // Express's methods work on them: req.get and res.json.
    expect(body).toEqual({ from: 'test' });
  });

  it("keeps Nest's own server where Nest needs it (tracked connections)", async () => {
    const { seen, body } = await serve({ forceCloseConnections: true });
    expect(seen.request).toBe(IncomingMessage.prototype);
    expect(body).toEqual({ from: 'test' });
  });

  it("relies on Node's message constructors being functions, not classes", () => {
    expect(isPlainConstructor(IncomingMessage)).toBe(true);
    expect(isPlainConstructor(ServerResponse)).toBe(true);
    expect(isPlainConstructor(class Message {})).toBe(false);
  });
});
