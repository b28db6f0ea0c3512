import { ForbiddenException } from '@nestjs/common';
import type { Principal, UserPrincipal } from '../../core/security/principal';

/** @throws ForbiddenException for API keys: these routes are for signed-in users. */
export function userOf(principal: Principal): UserPrincipal {
  if (principal.kind !== 'user') throw new ForbiddenException('This route is for signed-in users, not API keys');
  return principal;
}
