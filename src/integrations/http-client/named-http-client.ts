import { Monitored } from '../../core/monitoring/monitored.decorator';
import { Resilient } from '../../core/resilience/resilient.decorator';
import { HttpClient } from './http-client';
import type { HttpClientRegistration, HttpRequestOptions } from './http-client.options';

const keyOf = (_path: string, options?: HttpRequestOptions): string | undefined => options?.idempotencyKey;

/**
 * The client class of one registration: the same `HttpClient` with its
 * verbs decorated under the client's name (a decorator's provider name is
 * fixed when the class is declared, hence one class per name). POST and
 * PATCH are not idempotent: retried only with an idempotency key.
 * Cancellation: each attempt's abort signal is passed to undici.
 */
export function namedHttpClientClass(
  registration: HttpClientRegistration,
): new (registration: HttpClientRegistration) => HttpClient {
  const { name } = registration;
  // Timeouts and attempts are the provider's settings (see HttpClientModule), not decorator literals:
  // an adapter's `@Resilient(name)` around these calls then runs under the same values.
  const overrides = {};
  const unsafe = { ...overrides, idempotent: false, idempotencyKey: keyOf };

  class NamedHttpClient extends HttpClient {
    @Resilient(name, overrides)
    @Monitored(name, 'GET')
    override get<T>(path: string, options?: HttpRequestOptions): Promise<T> {
      return super.get<T>(path, options);
    }

    @Resilient(name, unsafe)
    @Monitored(name, 'POST')
    override post<T>(path: string, options?: HttpRequestOptions): Promise<T> {
      return super.post<T>(path, options);
    }

    @Resilient(name, overrides)
    @Monitored(name, 'PUT')
    override put<T>(path: string, options?: HttpRequestOptions): Promise<T> {
      return super.put<T>(path, options);
    }

    @Resilient(name, unsafe)
    @Monitored(name, 'PATCH')
    override patch<T>(path: string, options?: HttpRequestOptions): Promise<T> {
      return super.patch<T>(path, options);
    }

    @Resilient(name, overrides)
    @Monitored(name, 'DELETE')
    override delete<T>(path: string, options?: HttpRequestOptions): Promise<T> {
      return super.delete<T>(path, options);
    }
  }
  Object.defineProperty(NamedHttpClient, 'name', { value: `HttpClient(${name})` });
  return NamedHttpClient;
}
