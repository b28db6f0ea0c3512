import { NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import {
  ProviderNotConfiguredError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../../core/errors';
import { isS3NotFound, toS3IntegrationError } from './s3-errors';

function serviceError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9000`), { code, $metadata: { attempts: 1 } });
}

describe(toS3IntegrationError.name, () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EPIPE'])(
    'maps %s to a retryable 503 ProviderUnavailableError',
    (code) => {
      const error = toS3IntegrationError(socketError(code), 'upload');
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect(error).toMatchObject({ httpStatus: 503, retryable: true, provider: 's3', operation: 'upload', code });
    },
  );

  it('reads the socket code from the message when the SDK wrapped the error', () => {
    const error = toS3IntegrationError(
      new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9000'),
      'headObject',
    );
    expect(error).toBeInstanceOf(ProviderUnavailableError);
  });

  it('treats a reset connection as unreachable even when the SDK names it TimeoutError', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), {
      name: 'TimeoutError',
      code: 'ECONNRESET',
      $metadata: {},
    });
    expect(toS3IntegrationError(reset, 'upload')).toBeInstanceOf(ProviderUnavailableError);
    expect(toS3IntegrationError(new Error('AWS SDK error wrapper for Error: socket hang up'), 'upload')).toBeInstanceOf(
      ProviderUnavailableError,
    );
  });

  it('maps timeouts to a retryable 504', () => {
    expect(toS3IntegrationError(Object.assign(new Error('t'), { name: 'TimeoutError' }), 'headObject')).toBeInstanceOf(
      ProviderTimeoutError,
    );
    expect(toS3IntegrationError(socketError('ETIMEDOUT'), 'headObject')).toMatchObject({
      httpStatus: 504,
      retryable: true,
    });
  });

  it('maps 5xx to a retryable 503 and SlowDown to a retryable 503 with a pause', () => {
    expect(toS3IntegrationError(serviceError('InternalError', 500), 'upload')).toMatchObject({
      httpStatus: 503,
      retryable: true,
      upstreamStatus: 500,
    });
    expect(toS3IntegrationError(serviceError('SlowDown', 503), 'upload')).toMatchObject({
      httpStatus: 503,
      retryable: true,
      retryAfterMs: 1000,
    });
  });

  it('maps 429 to a retryable RateLimitedError', () => {
    expect(toS3IntegrationError(serviceError('TooManyRequests', 429), 'upload')).toBeInstanceOf(RateLimitedError);
  });

  it.each([
    ['AccessDenied', 403],
    ['InvalidAccessKeyId', 403],
    ['SignatureDoesNotMatch', 403],
    ['NoSuchBucket', 404],
  ])('maps %s (our configuration) to a non-retryable 502', (name, status) => {
    const error = toS3IntegrationError(serviceError(name, status), 'upload');
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).toMatchObject({ httpStatus: 502, retryable: false, code: name });
  });

  it('maps missing credentials to ProviderNotConfiguredError', () => {
    const error = toS3IntegrationError(
      Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
      'upload',
    );
    expect(error).toBeInstanceOf(ProviderNotConfiguredError);
    expect(error.retryable).toBe(false);
  });

  it('passes IntegrationErrors through', () => {
    const original = new ProviderUnavailableError('open', { provider: 's3' });
    expect(toS3IntegrationError(original, 'x')).toBe(original);
  });
});

describe(isS3NotFound.name, () => {
  it('recognises missing keys but not a missing bucket', () => {
    expect(isS3NotFound(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'gone' }))).toBe(true);
    expect(isS3NotFound(serviceError('NotFound', 404))).toBe(true);
    expect(isS3NotFound(serviceError('NoSuchBucket', 404))).toBe(false);
    expect(isS3NotFound(socketError('ECONNREFUSED'))).toBe(false);
  });
});
