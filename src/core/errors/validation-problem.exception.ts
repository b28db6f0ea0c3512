import { BadRequestException, type ValidationError } from '@nestjs/common';
import type { FieldProblem } from './problem';

/** Raised by the global ValidationPipe; the filter lists `errors` field by field. */
export class ValidationProblemException extends BadRequestException {
  constructor(
    readonly errors: FieldProblem[],
    detail = 'The request has invalid fields',
  ) {
    super(detail);
  }

  static fromValidationErrors(errors: ValidationError[]): ValidationProblemException {
    return new ValidationProblemException(flatten(errors, ''));
  }
}

function flatten(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      message: rule === 'whitelistValidation' ? `${field} is not allowed` : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
