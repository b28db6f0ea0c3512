import type { ExecutionContext } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import { createApp } from '../../src/bootstrap';
import { AuthenticationGuard } from '../../src/core/security/authentication.guard';
import type { Principal, RequestWithPrincipal } from '../../src/core/security/principal';
import { IS_PUBLIC } from '../../src/core/security/public.decorator';
import { mintUserSession, sessionCookie } from '../../test/support/sessions';

/** The guard's own authentication step (private in the product; the bench calls it by name). */
interface GuardInternals {
  readonly reflector: { getAllAndOverride<T>(key: string, targets: unknown[]): T | undefined };
  authenticate(req: Request): Promise<{ principal: Principal }>;
}

/**
 * `BENCH_AUTHORIZATION=off`: the global guard authenticates the caller and
 * does nothing else — no origin (CSRF) check, no scope check — which is what
 * it did before the trust boundary. A patch of this bench process only, so
 * "on" and "off" run the same build.
 */
function authenticationOnly(): void {
  AuthenticationGuard.prototype.canActivate = async function (this: GuardInternals, context: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true)
      return true;
    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    req.principal = (await this.authenticate(req)).principal;
    return true;
  };
}

/**
 * Portico for `bench:http`: the real bootstrap on SQLite, plus one signed-in
 * user minted through the session service; tells the parent its port and
 * the session cookie over IPC, and collects garbage when the parent sends `gc`.
 */
async function main(): Promise<void> {
  if (process.env.BENCH_AUTHORIZATION === 'off') authenticationOnly();
  const app = await createApp();
  await app.listen(0, '127.0.0.1');
  const session = await mintUserSession(app, 'bench@example.test');
  process.send?.({
    port: (app.getHttpServer().address() as AddressInfo).port,
    cookie: sessionCookie(session),
  });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  // Started with --expose-gc (the instruction count does): a full collection on request, so no
  // counted window inherits the warm-up's GC debt.
  process.on('message', (message: unknown) => {
    if (message !== 'gc' || global.gc === undefined) return;
    global.gc();
    process.send?.('gc done');
  });
}

void main();
