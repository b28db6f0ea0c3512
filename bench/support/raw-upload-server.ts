/**
 * The least an HTTP upload to disk can cost: a bare Node server that pipes
 * each request body into a file (no framework, no parsing, no checks).
 * Baseline for the local driver. Prints `{"port":N}` once listening.
 * Usage: node -r @swc-node/register bench/support/raw-upload-server.ts <directory>
 */
import { createWriteStream, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const [directory] = process.argv.slice(2);
let n = 0;
const server = createServer((req, res) => {
  const target = join(directory, `upload-${n++}.bin`);
  pipeline(req, createWriteStream(target))
    .then(() => {
      rmSync(target);
      res.end('stored');
    })
    .catch(() => res.writeHead(500).end());
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`),
);
