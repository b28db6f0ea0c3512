import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { ProviderNotConfiguredError } from '../../core/errors/integration.error';
import { currentCallSignal } from '../../core/resilience/call-context';
import { parseRetryAfter } from '../../core/http/retry-after';
import { injectTraceHeaders } from '../../core/tracing/trace-context';
import { errorForStatus, errorForTransport, upstreamRequestIdOf } from './http-client.errors';
import type { HttpClientAuth, HttpClientRegistration, HttpRequestOptions, QueryValue } from './http-client.options';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A typed JSON client for one API-key service, on an undici keep-alive
 * pool. Do not construct it yourself: `HttpClientModule.register()` builds a
 * subclass whose methods carry `@Resilient`/`@Monitored` under the client's
 * name, so every call gets timeout, retry, breaker, rate limit, bulkhead
 * and metrics. Each attempt is cancelled through the call's abort signal.
 *
 * @throws IntegrationError for non-2xx answers and transport failures
 *   (see `errorForStatus`, `errorForTransport`).
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly defaultHeaders: Record<string, string>;
  private readonly secrets: readonly string[];

  constructor(readonly options: HttpClientRegistration) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
    this.defaultHeaders = {
      accept: 'application/json',
      ...lowerCaseKeys(options.headers ?? {}),
      ...authHeaders(options.auth),
    };
    const credential = options.auth?.type === 'bearer' ? options.auth.token : options.auth?.value;
    this.secrets = [credential, ...(options.secrets ?? [])].filter((s): s is string => s !== undefined && s !== '');
  }

  get name(): string {
    return this.options.name;
  }

  get<T>(path: string, options?: HttpRequestOptions): Promise<T> {
    return this.send<T>('GET', path, options);
  }

  post<T>(path: string, options?: HttpRequestOptions): Promise<T> {
    return this.send<T>('POST', path, options);
  }

  put<T>(path: string, options?: HttpRequestOptions): Promise<T> {
    return this.send<T>('PUT', path, options);
  }

  patch<T>(path: string, options?: HttpRequestOptions): Promise<T> {
    return this.send<T>('PATCH', path, options);
  }

  delete<T>(path: string, options?: HttpRequestOptions): Promise<T> {
    return this.send<T>('DELETE', path, options);
  }

  /** Closes the keep-alive connections (called on application shutdown). */
  async close(): Promise<void> {
    await this.agent.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** One HTTP exchange; resolves with the parsed JSON (or text, or undefined for no content). */
  protected async send<T>(method: HttpMethod, path: string, options: HttpRequestOptions = {}): Promise<T> {
    const operation = method;
    if (this.options.missingConfig !== undefined && options.bearerToken === undefined)
      throw new ProviderNotConfiguredError(this.name, this.options.missingConfig, operation);
    const signal = currentCallSignal();
    const headers: Record<string, string> = { ...this.defaultHeaders, ...lowerCaseKeys(options.headers ?? {}) };
    let body: string | undefined;
    if (options.form !== undefined) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    if (options.bearerToken !== undefined) headers.authorization = `Bearer ${options.bearerToken}`;
    // W3C trace context of this attempt (nothing when tracing is off), unless the service rejects unknown headers.
    if (this.options.traceContext !== false) injectTraceHeaders(headers);
    let response: Dispatcher.ResponseData;
    try {
      const target = this.target(path, options.query);
      response = await this.agent.request({
        origin: target.origin,
        path: target.path,
        method,
        headers,
        body,
        signal,
      });
    } catch (error) {
      throw errorForTransport(this.name, operation, error, signal);
    }
    const text = await response.body.text().catch((error: unknown) => {
      throw errorForTransport(this.name, operation, error, signal);
    });
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const answer = {
        provider: this.name,
        operation,
        status: response.statusCode,
        headers: response.headers,
        body: this.redact(text, options.bearerToken).slice(0, this.options.maxErrorBodyChars ?? 500),
      };
      throw (
        this.options.mapError?.(answer) ??
        errorForStatus({
          ...answer,
          retryAfterMs: parseRetryAfter(response.headers['retry-after']),
          requestId: upstreamRequestIdOf(response.headers),
        })
      );
    }
    return parse(text, response.headers) as T;
  }

  /**
   * Where a request goes: `path` under the base URL, or an absolute URL as
   * given (OAuth providers spread one login over several hosts).
   */
  private target(path: string, query?: Readonly<Record<string, QueryValue>>): { origin: string; path: string } {
    if (!/^https?:\/\//i.test(path)) return { origin: this.origin, path: this.pathWithQuery(path, query) };
    const url = new URL(path);
    const search = this.search(query, url.searchParams);
    return { origin: url.origin, path: `${url.pathname}${search === '' ? '' : `?${search}`}` };
  }

  private pathWithQuery(path: string, query?: Readonly<Record<string, QueryValue>>): string {
    const search = this.search(query, new URLSearchParams());
    return `${this.basePath}/${path.replace(/^\/+/, '')}${search === '' ? '' : `?${search}`}`;
  }

  private search(query: Readonly<Record<string, QueryValue>> = {}, params: URLSearchParams): string {
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === null) continue;
      for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
    }
    if (this.options.auth?.type === 'query') params.set(this.options.auth.name, this.options.auth.value);
    return params.toString();
  }

  /** Upstream errors sometimes echo the request; credentials never leave in an error. */
  private redact(text: string, callToken?: string): string {
    const secrets = callToken === undefined || callToken === '' ? this.secrets : [...this.secrets, callToken];
    return secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}

function authHeaders(auth: HttpClientAuth | undefined): Record<string, string> {
  if (auth?.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  if (auth?.type === 'header') return { [auth.name.toLowerCase()]: auth.value };
  return {};
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function parse(text: string, headers: IncomingHttpHeaders): unknown {
  if (text === '') return undefined;
  const type = String(headers['content-type'] ?? '');
  if (/[/+]json\b/i.test(type)) return JSON.parse(text);
  return text;
}
