import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, operations, paths } from './schema';

/** RFC 9457 problem details: how Portico answers every error (`application/problem+json`). */
export type Problem = components['schemas']['ProblemDetailsDto'];

/** How the client authenticates; every operation that is not public accepts either. */
export type Credentials =
  /** An API key, sent as `Authorization: Bearer <key>` (default) or `X-Api-Key: <key>`. */
  | { readonly apiKey: string; readonly header?: 'authorization' | 'x-api-key' }
  /** A session token from a login (`POST /auth/refresh` returns one); a function is asked before each request. */
  | { readonly bearerToken: string | (() => string | Promise<string>) };

export interface PorticoClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** Where Portico is served, e.g. `https://api.example.com` (the document's `servers` entry). */
  readonly baseUrl: string;
  /** Sent on every request (`credentials` stays fetch's cookie mode). */
  readonly auth?: Credentials;
}

/** The typed client: `GET`, `POST`, … with paths, parameters, bodies and answers checked against the contract. */
export type PorticoClient = Client<paths>;

/** An error answer from Portico, with its problem details typed. */
export class PorticoProblemError extends Error {
  override readonly name = 'PorticoProblemError';
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(
    readonly problem: Problem,
    readonly response: Response,
  ) {
    super(problem.detail === undefined ? problem.title : `${problem.title}: ${problem.detail}`);
    this.status = problem.status;
    this.requestId = problem.requestId ?? response.headers.get('x-request-id') ?? undefined;
  }

  /** The invalid fields of a 400 (`errors[]`), empty otherwise. */
  get errors(): NonNullable<Problem['errors']> {
    return this.problem.errors ?? [];
  }

  /** Builds the error from what openapi-fetch parsed; a body that is not a problem still yields one. */
  static from(body: unknown, response: Response): PorticoProblemError {
    const problem: Problem = isProblem(body)
      ? body
      : {
          type: 'about:blank',
          title: response.statusText || `HTTP ${response.status}`,
          status: response.status,
          ...(typeof body === 'string' && body !== '' ? { detail: body } : {}),
        };
    return new PorticoProblemError(problem, response);
  }
}

/** A Portico client for `options.baseUrl`, authenticating every request with `options.auth`. */
export function createPorticoClient(options: PorticoClientOptions): PorticoClient {
  const { auth, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  if (auth !== undefined) client.use(authentication(auth));
  return client;
}

/**
 * The answer's data, or a thrown `PorticoProblemError` for an error answer:
 * `const intent = await unwrap(api.POST('/payments/intents', { body }))`.
 */
export async function unwrap<R extends { data?: unknown; error?: unknown; response: Response }>(
  pending: Promise<R>,
): Promise<Exclude<R['data'], undefined>> {
  const result = await pending;
  if (result.error !== undefined || !result.response.ok) throw PorticoProblemError.from(result.error, result.response);
  return result.data as Exclude<R['data'], undefined>;
}

/**
 * The `Idempotency-Key` header for a POST that accepts one. Reuse the same
 * key when retrying the same request (after a timeout or a 5xx): Portico
 * answers with the stored result instead of acting twice.
 */
export function idempotencyKey(key: string = crypto.randomUUID()): { 'Idempotency-Key': string } {
  return { 'Idempotency-Key': key };
}

/** A multipart body (file uploads): pass as `bodySerializer` beside a body whose binary fields are `Blob`s/`File`s. */
export function formData(body: unknown): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (value instanceof Blob) form.append(name, value);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      form.append(name, String(value));
    else if (value !== undefined && value !== null) form.append(name, JSON.stringify(value));
  }
  return form;
}

function authentication(credentials: Credentials): Middleware {
  return {
    async onRequest({ request }) {
      if ('apiKey' in credentials) {
        if (credentials.header === 'x-api-key') request.headers.set('X-Api-Key', credentials.apiKey);
        else request.headers.set('Authorization', `Bearer ${credentials.apiKey}`);
      } else {
        const token =
          typeof credentials.bearerToken === 'function' ? await credentials.bearerToken() : credentials.bearerToken;
        request.headers.set('Authorization', `Bearer ${token}`);
      }
      return request;
    },
  };
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Record<string, unknown>;
  return typeof candidate.title === 'string' && typeof candidate.status === 'number';
}
