import { randomBytes } from 'node:crypto';
import type { FormValue } from './form';

/** Small pieces shared by the Stripe contract server's resources. */
export type Answer = [status: number, body: unknown];

export function str(value: FormValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function strings(value: FormValue | undefined): Record<string, string> {
  if (typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

export function token(length: number): string {
  return randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length);
}

export function errorBody(error: Record<string, string | undefined>): { error: Record<string, string> } {
  return {
    error: Object.fromEntries(
      Object.entries(error).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
  };
}

/** Stripe's answer for an id it does not know. */
export function missing(kind: string, id: string, param = 'id'): Answer {
  return [
    404,
    errorBody({ type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${kind}: '${id}'` }),
  ];
}

export function invalid(message: string, param?: string, code?: string): Answer {
  return [400, errorBody({ type: 'invalid_request_error', code, param, message })];
}
