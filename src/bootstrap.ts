import 'reflect-metadata';
import { type DynamicModule, type INestApplication, ValidationPipe, type Type } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { appConfig } from './config/app.config';
import { ValidationProblemException } from './core/errors/validation-problem.exception';
import { setupApiDocs } from './api-docs';
import { assignRequestId } from './core/http/request-id';
import { parsedUnlessStreamed } from './core/http/streamed-bodies';

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
  const app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), {
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

  app.use(assignRequestId);
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: config.bodyLimit, type: parsedUnlessStreamed('application/json') });
  app.useBodyParser('urlencoded', {
    limit: config.bodyLimit,
    extended: true,
    type: parsedUnlessStreamed('application/x-www-form-urlencoded'),
  });
  app.use(helmet());
  // Session and login-state cookies (auth integration); unsigned: their values are sealed or signed themselves.
  app.use(cookieParser());
  const anyOrigin = config.corsOrigins.includes('*');
  app.enableCors({
    origin: anyOrigin ? true : config.corsOrigins,
    // Cookies cross origins only to origins named explicitly.
    credentials: !anyOrigin,
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'Idempotency-Key', 'Location'],
  });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => ValidationProblemException.fromValidationErrors(errors),
    }),
  );
  setupApiDocs(app);
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
