import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Counter, Histogram, Registry } from 'prom-client';
import type { Observable } from 'rxjs';

type Labels = 'method' | 'route' | 'status';

/**
 * `http_requests_total` and `http_request_duration_seconds` per route
 * template (`/payments/:id`, never the raw URL, so label cardinality stays
 * bounded). Recorded when the response finishes, so the status is the one
 * the client got, including errors the exception filter wrote.
 * Runs as a global interceptor: requests refused before interceptors run
 * (guards, unknown routes) are not counted here.
 */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  private readonly requests: Counter<Labels>;
  private readonly duration: Histogram<Labels>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = routeTemplate(req);
      if (route === '/metrics') return;
      const labels = { method: req.method, route, status: String(res.statusCode) };
      this.requests.inc(labels);
      this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    return next.handle();
  }
}

function routeTemplate(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? path : 'unknown';
}
