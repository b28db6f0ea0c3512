import {
  IntegrationError,
  ProviderFailedError,
  ProviderNotConfiguredError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../../core/errors';

const PROVIDER = 's3';

/** Socket-level failures: the server is down, unreachable or dropped the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** S3 error codes that mean "our request or our configuration is wrong": retrying will not help. */
const CONFIGURATION_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'NoSuchBucket',
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'InvalidBucketName',
]);

const CODE_IN_MESSAGE = new RegExp(`\\b(${[...NETWORK_CODES, ...TIMEOUT_CODES].join('|')})\\b`);

/**
 * The SDK wraps errors it does not recognise as `Error` (e.g. from another
 * realm) in "AWS SDK error wrapper for Error: connect ECONNREFUSED ...",
 * keeping only the message: read the socket code from it then.
 */
function socketCodeInMessage(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (/socket hang up/i.test(error.message)) return 'ECONNRESET';
  return CODE_IN_MESSAGE.exec(error.message)?.[1];
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: { readonly throttling?: boolean };
}

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? error : {};
}

/** The HTTP status S3 answered with, if it answered at all. */
export function s3StatusOf(error: unknown): number | undefined {
  const status = shape(error).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** True when S3 says the object (or its metadata) does not exist. */
export function isS3NotFound(error: unknown): boolean {
  const name = shape(error).name;
  return name === 'NoSuchKey' || name === 'NotFound' || (s3StatusOf(error) === 404 && name !== 'NoSuchBucket');
}

/**
 * Translates an AWS SDK or socket error into the `IntegrationError` family:
 * unreachable/5xx → `ProviderUnavailableError` (503, retryable), throttling →
 * retryable with a pause, timeouts → `ProviderTimeoutError`, credentials or
 * bucket problems → `ProviderRejectedError` 502 (our configuration, not
 * retryable). Errors already translated pass through unchanged.
 */
export function toS3IntegrationError(error: unknown, operation: string): IntegrationError {
  if (error instanceof IntegrationError) return error;
  const { name, code } = shape(error);
  const status = s3StatusOf(error);
  const errorName = typeof name === 'string' ? name : 'Error';
  const options = { provider: PROVIDER, operation, cause: error, upstreamStatus: status, code: errorName };

  if (errorName === 'CredentialsProviderError') {
    return new ProviderNotConfiguredError(
      PROVIDER,
      ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY (or the AWS credential chain)'],
      operation,
    );
  }
  if (status === undefined) {
    const socketCode = typeof code === 'string' ? code : socketCodeInMessage(error);
    // Checked before the name: the SDK's HTTP handler names ECONNRESET and EPIPE "TimeoutError" too.
    if (socketCode !== undefined && NETWORK_CODES.has(socketCode)) {
      return new ProviderUnavailableError('S3 is unreachable', { ...options, code: socketCode });
    }
    if (errorName === 'TimeoutError' || (socketCode !== undefined && TIMEOUT_CODES.has(socketCode))) {
      return new ProviderTimeoutError('S3 did not answer in time', { ...options, code: socketCode ?? errorName });
    }
    return new ProviderFailedError('S3 call failed', { ...options, retryable: false });
  }
  if (status === 429 || errorName === 'SlowDown' || shape(error).$retryable?.throttling === true) {
    return status === 503 || errorName === 'SlowDown'
      ? new ProviderUnavailableError('S3 asks us to slow down', { ...options, retryAfterMs: 1000 })
      : new RateLimitedError('S3 rate limit reached', { ...options, retryAfterMs: 1000 });
  }
  if (status >= 500) return new ProviderUnavailableError(`S3 answered ${status}`, options);
  // S3's 400 RequestTimeout: it waited too long for our request body.
  if (errorName === 'RequestTimeout') return new ProviderTimeoutError('S3 timed out waiting for the upload', options);
  if (CONFIGURATION_CODES.has(errorName) || status === 403 || status === 401) {
    return new ProviderRejectedError(`S3 refused the request (${errorName}); check the S3 settings`, {
      ...options,
      httpStatus: 502,
    });
  }
  if (status === 404)
    return new ProviderRejectedError('The stored object does not exist', {
      ...options,
      httpStatus: 404,
      title: 'Not found',
    });
  return new ProviderRejectedError(`S3 refused the request (${errorName})`, { ...options, httpStatus: 502 });
}
