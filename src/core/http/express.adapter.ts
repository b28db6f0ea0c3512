import { IncomingMessage, type Server, ServerResponse, createServer } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/** A constructor Node's HTTP server calls with `new` for each request or response. */
type MessageConstructor = new (...args: never[]) => object;

/**
 * Nest's Express adapter, with an HTTP server that builds each request and
 * response on Express's own prototypes (`app.request`, `app.response`).
 *
 * Why: Express gives every request and response its prototype on arrival
 * (`Object.setPrototypeOf(req, app.request)` in `app.handle`). Changing a
 * live object's prototype is slow in V8, and the cost is mostly hidden in
 * the garbage collector: on plain Express 5 at a steady 500 requests/s
 * (Node 20), it tripled what each request allocated, and about a fifth of
 * that lived on into the old generation, so every young-generation GC
 * paused 7–15 ms copying it. Built here, the objects have that prototype
 * from the start, and Express's call changes nothing (V8 returns at once
 * when the prototype is already the one asked for): nothing was promoted
 * and the pauses fell under 1 ms. expressjs/express#5998 proposes the same.
 */
export class PorticoExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    // Nest's server for these: TLS (Portico's ends at the proxy) or tracked connections (not used).
    if (options.httpsOptions !== undefined || options.forceCloseConnections === true) return;
    // Should a Node release make either a class, Express's own way (a prototype change per request) still works.
    if (!isPlainConstructor(IncomingMessage) || !isPlainConstructor(ServerResponse)) return;
    this.setHttpServer(expressServer(this.getInstance<Express>()));
  }
}

/** An HTTP server for `app` whose requests and responses are created with Express's prototypes. */
export function expressServer(app: Express): Server {
  return createServer(
    {
      IncomingMessage: onPrototype(IncomingMessage, app.request) as typeof IncomingMessage,
      ServerResponse: onPrototype(ServerResponse, app.response) as typeof ServerResponse,
    },
    app,
  );
}

/**
 * A constructor that runs `base` on an object whose prototype is
 * `prototype` (which inherits from `base.prototype`). Node's
 * IncomingMessage `(socket)` and ServerResponse `(req, options)` are plain
 * constructor functions, so `base.call` initialises the object `new` made.
 * (`Reflect.construct` with this constructor as new.target would work for
 * classes too, but measured worse: it still promoted about a tenth as much.)
 */
function onPrototype(base: MessageConstructor, prototype: object): MessageConstructor {
  const init = base as unknown as (this: object, first: unknown, second: unknown) => void;
  function Message(this: object, first: unknown, second: unknown): void {
    init.call(this, first, second);
  }
  Message.prototype = prototype;
  return Message as unknown as MessageConstructor;
}

/** Whether `base` can run on an object made elsewhere (a function, not a class, which only `new` can run). */
export function isPlainConstructor(base: MessageConstructor): boolean {
  return !Function.prototype.toString.call(base).startsWith('class');
}
