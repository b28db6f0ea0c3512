import { HttpException } from '@nestjs/common';

export interface ProblemExceptionOptions {
  /** Problem type slug (`idempotency-conflict`); omitted → `about:blank`. */
  readonly slug?: string;
  readonly title?: string;
  /** Extra members for the problem body (safe to show). */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * An HTTP error with a specific problem type and extension members, for
 * domain refusals that deserve more than a status (409 idempotency conflict,
 * 422 refund over the captured amount).
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    detail: string,
    readonly problem: ProblemExceptionOptions = {},
  ) {
    super(detail, status);
  }
}
