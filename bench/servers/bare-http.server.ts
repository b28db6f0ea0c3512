import { createServer } from 'node:http';
import { join } from 'node:path';
import { announce, openInbox } from './webhook-baseline';

/** (a) node:http + better-sqlite3: the physical limit of this stack. */
const handle = openInbox(join(process.env.DATA_DIR ?? '.', 'bare.sqlite'));
const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/webhooks/stripe') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const signature = req.headers['stripe-signature'];
    const result = handle(Buffer.concat(chunks).toString('utf8'), Array.isArray(signature) ? signature[0] : signature);
    res.writeHead(result.status, { 'Content-Type': 'application/json' }).end(result.body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announce(typeof address === 'object' && address !== null ? address.port : 0);
});
