import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/bootstrap';
import { announce } from './webhook-baseline';

/** Portico itself: the real bootstrap (helmet, CORS, request ids, logs, guard, filter) on SQLite. */
async function main(): Promise<void> {
  const app = await createApp();
  await app.listen(0, '127.0.0.1');
  announce((app.getHttpServer().address() as AddressInfo).port);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
