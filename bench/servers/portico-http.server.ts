import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/bootstrap';
import { mintUserSession, sessionCookie } from '../../test/support/sessions';

/**
 * Portico for `bench:http`: the real bootstrap on SQLite, plus one signed-in
 * user minted through the session service; tells the parent its port and
 * the session cookie over IPC.
 */
async function main(): Promise<void> {
  const app = await createApp();
  await app.listen(0, '127.0.0.1');
  const session = await mintUserSession(app, 'bench@example.test');
  process.send?.({
    port: (app.getHttpServer().address() as AddressInfo).port,
    cookie: sessionCookie(session),
  });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
