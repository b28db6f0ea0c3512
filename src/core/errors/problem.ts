/** RFC 9457 problem details, as every error response of this API is shaped. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  /** Validation problems: one entry per bad field. */
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export interface FieldProblem {
  /** Dotted path of the field (`to.2`, `metadata.order`). */
  field: string;
  message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_BASE = 'https://portico.dev/problems/';

export function problemType(slug: string): string {
  return `${PROBLEM_BASE}${slug}`;
}
