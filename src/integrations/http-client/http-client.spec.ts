import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderNotConfiguredError } from '../../core/errors/integration.error';
import { HttpClient } from './http-client';

/** An upstream that refuses every request with 400, echoing the Authorization header it got. */
async function echoingUpstream(): Promise<{ url: string; server: Server; seen: Array<string | undefined> }> {
  const seen: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `bad request with ${req.headers.authorization ?? 'no credentials'}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

describe('HttpClient per-call bearer token (a user’s own provider token)', () => {
  let upstream: Awaited<ReturnType<typeof echoingUpstream>>;
  beforeAll(async () => (upstream = await echoingUpstream()));
  afterAll(() => new Promise<void>((resolve) => upstream.server.close(() => resolve())));

  it('is sent instead of the client credential and never repeated in the error', async () => {
    const client = new HttpClient({
      name: 'demo',
      baseUrl: upstream.url,
      auth: { type: 'bearer', token: 'server-tok' },
    });
    const failure = await client.get('/x', { bearerToken: 'user-token-0123456789' }).catch((e: unknown) => e);
    await client.close();
    expect(upstream.seen.at(-1)).toBe('Bearer user-token-0123456789');
    const logged = JSON.stringify(failure, Object.getOwnPropertyNames(failure));
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain('user-token-0123456789');
  });

  it('lets a client without its own credential call on a user’s behalf, and only then', async () => {
    const client = new HttpClient({ name: 'demo', baseUrl: upstream.url, missingConfig: ['DEMO_TOKEN'] });
    await expect(client.get('/x')).rejects.toBeInstanceOf(ProviderNotConfiguredError);
    const sent = upstream.seen.length;
    await expect(client.get('/x', { bearerToken: 'user-token-abc' })).rejects.not.toBeInstanceOf(
      ProviderNotConfiguredError,
    );
    await client.close();
    expect(upstream.seen.length).toBe(sent + 1);
  });
});
