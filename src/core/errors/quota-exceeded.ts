import { ProblemException } from './problem.exception';

/**
 * 403 problem with type `…/quota-exceeded`: the caller is authenticated and
 * allowed, but has used up an allowance (not a rate: waiting a minute does not help).
 */
export function quotaExceeded(
  detail: string,
  extensions: { readonly quota: string; readonly limit: number; readonly used: number },
): ProblemException {
  return new ProblemException(403, detail, { slug: 'quota-exceeded', title: 'Quota exceeded', extensions });
}
