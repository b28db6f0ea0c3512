import type { Server } from 'node:http';
import 'reflect-metadata';
import { type DynamicModule, type INestApplication, ValidationPipe, type Type } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { json } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { appConfig } from './config/app.config';
import { limitsConfig } from './config/limits.config';
import { storageConfig } from './integrations/storage/storage.config';
import { ValidationProblemException } from './core/errors/validation-problem.exception';
import { setupApiDocs } from './api-docs';
import { refuseFormBodies } from './core/http/form-bodies';
import { operationalRoutesOnly } from './core/http/operational-routes';
import { PorticoExpressAdapter } from './core/http/express.adapter';
import { assignRequestId } from './core/http/request-id';
import { parsedUnlessStreamed } from './core/http/streamed-bodies';
import { jsonShapeVerifier } from './core/http/json-body-guard';
import { serverTimeouts } from './core/http/server-timeouts';
import { corsForBrowsers, forBrowsers } from './core/http/server-to-server';
import { httpServerSpans } from './core/tracing/http-server-spans';
import { Tracing } from './core/tracing/tracing.service';

export interface CreateAppOptions {
  /** Extra modules mounted beside the app (tests use this for fixture routes). */
  readonly extraModules?: ReadonlyArray<Type | DynamicModule>;
}

/**
 * Builds the configured application without listening, so `main.ts`, the
 * CLI and the e2e tests all run the same pipeline (body limits, validation,
 * problem+json, security headers, docs).
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const module: DynamicModule = await AppModule.forRoot(options.extraModules);
  // The adapter is passed explicitly (Nest's lazy adapter loading uses a dynamic import).
  const app = await NestFactory.create<NestExpressApplication>(module, new PorticoExpressAdapter(), {
    bufferLogs: true,
    // Webhook routes verify signatures over the exact bytes received.
    rawBody: true,
    bodyParser: false,
  });
  configureApp(app);
  return app;
}

export function configureApp(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  const limits = app.get<ConfigType<typeof limitsConfig>>(limitsConfig.KEY);
  const storage = app.get<ConfigType<typeof storageConfig>>(storageConfig.KEY);
  Object.assign(app.getHttpServer(), serverTimeouts(limits, storage.maxUploadBytes));

  // First, so everything a request does (logs included) runs inside its span.
  const { tracer } = app.get(Tracing);
  if (tracer !== undefined) app.use(httpServerSpans(tracer));
  app.use(assignRequestId);
  if (config.role === 'worker') app.use(operationalRoutesOnly);
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // Not useBodyParser: its rawBody option replaces `verify`, and the shape scan must run before JSON.parse.
  app.use(
    json({
      limit: config.bodyLimit,
      type: parsedUnlessStreamed('application/json'),
      verify: jsonShapeVerifier(limits.jsonMaxDepth),
    }),
  );
  // CSRF: no route takes HTML forms (see form-bodies.ts).
  app.use(refuseFormBodies);
  // Browser protections go on every route a browser may call; not on the signed webhook receivers, which only
  // providers' servers call (see server-to-server.ts).
  app.use(forBrowsers(helmet()));
  // Session and login-state cookies (auth integration); unsigned: their values are sealed or signed themselves.
  app.use(forBrowsers(cookieParser()));
  const anyOrigin = config.corsOrigins.includes('*');
  app.enableCors(
    corsForBrowsers({
      origin: anyOrigin ? true : config.corsOrigins,
      // Cookies cross origins only to origins named explicitly.
      credentials: !anyOrigin,
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Idempotency-Key', 'Location', 'RateLimit', 'RateLimit-Policy'],
    }),
  );
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => ValidationProblemException.fromValidationErrors(errors),
    }),
  );
  // Production keeps the API map private unless API_DOCS=true.
  if (config.apiDocs) setupApiDocs(app);
}

/** Closes the app on SIGTERM/SIGINT: in-flight requests finish, processors stop, the database closes; exit 0. */
export function closeOnSignals(app: INestApplication, timeoutMs: number): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    const logger = app.get(Logger);
    logger.log(`${signal} received: finishing in-flight requests`, 'Shutdown');
    const force = setTimeout(() => {
      logger.error(`Shutdown took longer than ${timeoutMs} ms; exiting anyway`, undefined, 'Shutdown');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    // server.close() drops the connections idle at that moment only; a keep-alive connection whose request
    // was still in flight would hold the close for HTTP_KEEP_ALIVE_TIMEOUT_MS. Drop each as it goes idle.
    const server = app.getHttpServer() as Server;
    const dropIdle = setInterval(() => server.closeIdleConnections(), 100);
    dropIdle.unref();
    app
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed', 'Shutdown');
        process.exit(1);
      });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
