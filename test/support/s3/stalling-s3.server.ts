import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in saw of one PUT. */
export interface StalledPut {
  readonly path: string;
  /** Body bytes received so far. */
  bytes: number;
  /** The client closed the connection while waiting for the answer (our abort). */
  aborted: boolean;
}

/**
 * An S3 endpoint that reads a PUT's body and never answers it: a provider
 * that hangs. It records how many bytes arrived and whether the client gave
 * up (closed the connection). It reads at full speed: a client that aborts
 * closes its socket, and the FIN reaches the stand-in only after the data
 * sent before it, so a slow reader would see the abort only once it had read
 * everything. Other requests get an empty 200. Loopback only.
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
    req.on('data', (chunk: Buffer) => (put.bytes += chunk.length));
    // The request's own 'close' also follows a complete body; only the socket's means the client hung up.
    req.socket.once('close', () => (put.aborted = true));
  }
}
