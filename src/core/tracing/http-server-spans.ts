import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode, type Tracer, context, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { extractTraceHeaders } from './trace-context';

type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/**
 * Express middleware: one server span per request, continuing the caller's
 * `traceparent`, named `METHOD /route/:template` once the router has matched
 * (the raw path would make one span name per id). Everything the request does
 * runs inside it. Records the path without the query (tokens live there) and
 * no headers.
 */
export function httpServerSpans(tracer: Tracer) {
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    const method = req.method ?? 'GET';
    const parent = extractTraceHeaders(req.headers);
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: (req.url ?? '/').split('?')[0] },
      },
      parent,
    );
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      const route = typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : undefined;
      if (route !== undefined) {
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      // The client went away before the answer was complete.
      if (!res.writableFinished) span.setAttribute('portico.response.aborted', true);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}
