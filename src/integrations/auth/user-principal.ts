import { ProblemException } from '../../core/errors/problem.exception';
import type { Principal, UserPrincipal } from '../../core/security/principal';

/** @throws ProblemException 403 `user-required` for API keys: these routes are for signed-in users. */
export function userOf(principal: Principal): UserPrincipal {
  if (principal.kind !== 'user')
    throw new ProblemException(403, 'This route is for signed-in users, not API keys', {
      slug: 'user-required',
      title: 'Signed-in user required',
    });
  return principal;
}
