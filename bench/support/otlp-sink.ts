import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpSink {
  /** Base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (the exporter appends /v1/traces). */
  readonly endpoint: string;
  /** Export requests and bytes received so far. */
  received(): { exports: number; bytes: number };
  close(): Promise<void>;
}

/**
 * A stand-in OpenTelemetry collector for benchmarks: accepts OTLP/HTTP exports
 * (protobuf or JSON) and only counts them. It shares the machine's cores with
 * the server under test, so it does as little as it can: a real collector
 * runs elsewhere. (Tests use test/support/otlp-receiver.ts, which decodes spans.)
 */
export async function startOtlpSink(): Promise<OtlpSink> {
  let exports = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      exports += 1;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => ({ exports, bytes }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
