import {
  type IntegrationError,
  ProviderFailedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../../core/errors/integration.error';
import { parseRetryAfter } from '../../../core/http/retry-after';

const PROVIDER = 'sendgrid';

/** One entry of SendGrid's `{ errors: [{ message, field, help }] }`. */
export interface SendGridFieldError {
  readonly field: string | null;
  readonly message: string;
}

interface ResponseLike {
  readonly code: number;
  readonly response: { readonly headers: Record<string, unknown>; readonly body: unknown };
}

/** `@sendgrid/helpers` ResponseError: the API answered with a status ≥ 400. */
function isResponseError(error: unknown): error is ResponseLike {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; response?: unknown };
  return typeof candidate.code === 'number' && typeof candidate.response === 'object' && candidate.response !== null;
}

/** Flattens `response.body.errors[]` into field + message pairs (empty when the body has none). */
export function fieldErrorsOf(body: unknown): SendGridFieldError[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .map((entry) => ({
      field: typeof entry.field === 'string' ? entry.field : null,
      message: typeof entry.message === 'string' ? entry.message : 'unknown error',
    }));
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return typeof value === 'string'
    ? value
    : Array.isArray(value) && typeof value[0] === 'string'
      ? value[0]
      : undefined;
}

/**
 * How long SendGrid asks us to wait: `Retry-After` (seconds or an HTTP date),
 * else `X-RateLimit-Reset` (Unix seconds when the window resets).
 */
export function retryAfterMsOf(headers: Record<string, unknown>, now = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = header(headers, 'x-ratelimit-reset');
  if (reset !== undefined && /^\d+$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}

function describe(status: number, errors: SendGridFieldError[]): string {
  const list = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
  return `SendGrid answered ${status}${list ? `: ${list}` : ''}`;
}

/**
 * Translates whatever `@sendgrid/mail` threw into an IntegrationError:
 * 429 and 5xx are retryable (with the wait SendGrid asked for); 400, 401,
 * 403, 413 and other 4xx are not; timeouts and network errors are retryable.
 */
export function toIntegrationError(error: unknown, operation: string): IntegrationError {
  if (isResponseError(error)) {
    const status = error.code;
    const errors = fieldErrorsOf(error.response.body);
    const retryAfterMs = retryAfterMsOf(error.response.headers);
    const options = {
      provider: PROVIDER,
      operation,
      upstreamStatus: status,
      retryAfterMs,
      cause: error,
      details: errors.length > 0 ? { errors } : undefined,
    };
    const message = describe(status, errors);
    if (status === 429) return new RateLimitedError(message, options);
    if (status >= 500) return new ProviderUnavailableError(message, options);
    if (status === 401 || status === 403) {
      // Our key is wrong or lacks the mail.send scope: the operator must fix it, the caller cannot.
      return new ProviderRejectedError(message, {
        ...options,
        httpStatus: 502,
        code: status === 401 ? 'unauthorized' : 'forbidden',
      });
    }
    if (status === 413)
      return new ProviderRejectedError(message, { ...options, httpStatus: 413, code: 'payload_too_large' });
    return new ProviderRejectedError(message, { ...options, httpStatus: 422, code: 'invalid_request' });
  }
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return new ProviderTimeoutError('SendGrid did not answer in time', { provider: PROVIDER, operation, cause: error });
  }
  if (typeof code === 'string') {
    return new ProviderUnavailableError(`SendGrid could not be reached (${code})`, {
      provider: PROVIDER,
      operation,
      cause: error,
    });
  }
  return new ProviderFailedError('SendGrid call failed', {
    provider: PROVIDER,
    operation,
    retryable: false,
    cause: error,
  });
}
