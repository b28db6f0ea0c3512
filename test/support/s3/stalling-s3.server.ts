import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in saw of one PUT. */
export interface StalledPut {
  readonly path: string;
  /** Body bytes received so far. */
  bytes: number;
  /** The client closed the request before it was answered (our abort). */
  aborted: boolean;
}

/**
 * An S3 endpoint that accepts a PUT, reads its body slowly (one chunk per
 * 200 ms, so the sender is held back) and never answers it: a provider that
 * hangs mid-upload. It records whether the client gave up (closed the
 * connection) and how many bytes arrived. Other requests get an empty 200
 * so nothing else stalls. Loopback only.
 */
export class StallingS3 {
  readonly puts: StalledPut[] = [];
  private server?: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.method !== 'PUT') {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-length': '0' }).end());
        return;
      }
      this.record(req);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private record(req: IncomingMessage): void {
    const put: StalledPut = { path: req.url ?? '', bytes: 0, aborted: false };
    this.puts.push(put);
    req.on('data', (chunk: Buffer) => {
      put.bytes += chunk.length;
      req.pause();
      setTimeout(() => req.resume(), 200).unref();
    });
    req.on('close', () => (put.aborted = true));
  }
}
