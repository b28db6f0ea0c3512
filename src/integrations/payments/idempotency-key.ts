import { randomUUID } from 'node:crypto';
import { ValidationProblemException } from '../../core/errors/validation-problem.exception';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Describes the inbound `Idempotency-Key` header in OpenAPI (same rules on every route that takes it). */
export const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Up to 255 printable characters; generated and echoed back when absent. Same key + same body → the stored result; same key + other body → 409.',
} as const;

/**
 * The request's idempotency key: the header's, or a new one when absent.
 * @throws ValidationProblemException (400) for a key that is not 1–255 printable ASCII characters.
 */
export function resolveIdempotencyKey(header: string | undefined): string {
  const key = header === undefined || header === '' ? randomUUID() : header;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationProblemException([
      {
        field: 'Idempotency-Key',
        message: 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces',
      },
    ]);
  }
  return key;
}
