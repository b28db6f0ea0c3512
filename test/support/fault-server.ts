import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer of the fault server. */
export type FaultStep =
  | {
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Readonly<Record<string, string>>;
      readonly delayMs?: number;
    }
  | { readonly reset: true };

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
  /** True when the client gave up (closed the connection) before the answer was sent. */
  aborted: boolean;
}

export interface FaultServer {
  readonly url: string;
  /** Answers requests to `path` with `steps` in order; the last step repeats. */
  script(path: string, steps: readonly FaultStep[]): void;
  /** Requests received for `path` (without query), in order. */
  seen(path: string): SeenRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that misbehaves on cue: 5xx, 429 with
 * Retry-After, answers slower than the client's timeout, connection
 * resets. Unscripted paths answer 200 `{ "ok": true }`.
 */
export async function startFaultServer(): Promise<FaultServer> {
  const scripts = new Map<string, { steps: readonly FaultStep[]; next: number }>();
  const requests = new Map<string, SeenRequest[]>();

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const path = (req.url ?? '/').split('?')[0];
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      at: Date.now(),
      aborted: false,
    };
    requests.set(path, [...(requests.get(path) ?? []), seen]);
    res.on('close', () => {
      if (!res.writableFinished) seen.aborted = true;
    });
    const script = scripts.get(path);
    const step: FaultStep = script
      ? script.steps[Math.min(script.next++, script.steps.length - 1)]
      : { status: 200, body: { ok: true } };
    if ('reset' in step) {
      req.socket.resetAndDestroy();
      return;
    }
    const answer = (): void => {
      if (res.destroyed) return;
      const payload = step.body === undefined ? '' : JSON.stringify(step.body);
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
      res.end(payload);
    };
    if (step.delayMs) setTimeout(answer, step.delayMs);
    else answer();
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    script: (path, steps) => scripts.set(path, { steps, next: 0 }),
    seen: (path) => requests.get(path) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
