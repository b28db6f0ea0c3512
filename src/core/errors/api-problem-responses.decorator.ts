import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

class FieldProblemDto {
  @ApiProperty({ example: 'amount' }) field!: string;
  @ApiProperty({ example: 'amount must not be less than 1' }) message!: string;
}

/** RFC 9457 problem details, as every error of this API is answered (`application/problem+json`). */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'https://portico.dev/problems/validation', description: 'Problem type URI, or about:blank' })
  type!: string;

  @ApiProperty({ example: 'Invalid request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiPropertyOptional({ example: 'The request has invalid fields' }) detail?: string;
  @ApiPropertyOptional({ example: '/payments/intents' }) instance?: string;
  @ApiPropertyOptional({ example: '0f8fad5b-d9cb-469f-a165-70867728950e' }) requestId?: string;
  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'Validation problems, one per field' })
  errors?: FieldProblemDto[];
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid input: malformed JSON, unknown or invalid fields (`errors[]` lists them)',
  401: 'Missing or invalid credentials',
  402: 'The provider declined the payment',
  403: 'Authenticated, but not allowed',
  404: 'Not found (or not yours)',
  409: 'Conflicts with the current state or an earlier request',
  410: 'Gone (expired)',
  411: 'Content-Length required',
  412: 'Precondition failed (e.g. the object already exists)',
  413: 'Body or upload too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  422: 'Well-formed but refused',
  429: 'Rate limited; see `Retry-After`',
  502: 'The provider failed or refused our request',
  503: 'Provider not configured or unavailable (circuit open); see `Retry-After`',
  504: 'The provider did not answer in time',
};

export const PROBLEM_SCHEMA_REF = '#/components/schemas/ProblemDetailsDto';

/** The documented problem+json answer for one status (shared by the decorator and the document post-processor). */
export function problemResponse(status: number): {
  description: string;
  content: { 'application/problem+json': { schema: { $ref: string } } };
} {
  return {
    description: DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? `HTTP ${status}`,
    content: { 'application/problem+json': { schema: { $ref: PROBLEM_SCHEMA_REF } } },
  };
}

/** Documents the problem+json answers a route can give. */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, ...problemResponse(status) })));
}
