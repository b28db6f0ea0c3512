import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import { appConfig } from '../../config/app.config';
import { REQUEST_ID_HEADER, requestIdFrom, requestIdOf } from '../http/request-id';
import { activeTraceFields } from '../tracing/trace-context';
import { redactLogObject } from './redact';

type RoutedRequest = IncomingMessage & { route?: { path?: string }; originalUrl?: string };

/** Log keys with a serializer below that keeps named fields only (see `redactLogObject`). */
const SERIALIZED_KEYS: ReadonlySet<string> = new Set(['req', 'res']);

/** What the request log keeps of `req` and `res` (the benchmark's Express server logs the same). */
export const REQUEST_LOG_SERIALIZERS = {
  req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
    id: req.id,
    method: req.method,
    // Query strings may carry tokens (signed URLs, OAuth codes): log the path only.
    url: req.url.split('?')[0],
    // Only what helps to trace a request; credentials and signatures are never among them.
    userAgent: req.headers['user-agent'],
    contentLength: req.headers['content-length'],
  }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

/**
 * JSON logs through pino (pretty with LOG_PRETTY=true, as `start:dev` sets).
 * One line per request with method, route, status, duration and request id;
 * every line logged while serving a request carries that id.
 *
 * Cheap at `info`, where every request logs: lines go to an asynchronous
 * destination (buffered writes instead of one blocking write per line), and
 * the request serializer keeps a few headers instead of all of them (the
 * full set, redacted and copied, cost about a third of webhook intake).
 * Credentials never reach a line: `req` and `res` are written through
 * serializers that name the fields they keep (no header carrying a secret
 * among them), and every other field is redacted by name (`redactLogObject`).
 * So pino's own path redaction has nothing left to do and is not set; it
 * copied each request's bindings to find nothing.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => {
        const options = {
          level: app.logLevel,
          transport: app.logPretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
          // trace_id/span_id of the active span (empty when tracing is off), to jump from a log line to its trace.
          mixin: activeTraceFields,
          formatters: { log: (object: Record<string, unknown>) => redactLogObject(object, SERIALIZED_KEYS) },
          // `assignRequestId` ran first; fall back for apps mounted without it.
          genReqId: (req: IncomingMessage) => requestIdOf(req) ?? requestIdFrom(req.headers[REQUEST_ID_HEADER]),
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
            err !== undefined || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          customSuccessObject: (req: RoutedRequest, res: ServerResponse, value: Record<string, unknown>) => ({
            ...value,
            route: req.route?.path,
            status: res.statusCode,
          }),
          customErrorObject: (
            req: RoutedRequest,
            res: ServerResponse,
            _err: Error,
            value: Record<string, unknown>,
          ) => ({
            ...value,
            route: req.route?.path,
            status: res.statusCode,
          }),
          serializers: REQUEST_LOG_SERIALIZERS,
          // Probes and scrapes would drown the request log.
          autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health/live' || req.url === '/metrics' },
        };
        // Pretty output goes through its transport; JSON lines through an asynchronous stdout writer.
        return { pinoHttp: app.logPretty ? options : [options, destination({ dest: 1, sync: false })] };
      },
    }),
  ],
})
export class LoggingModule {}
