import { type ExecutionContext, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import type { Principal, RequestWithPrincipal } from './principal';

/** The authenticated caller; the global guard has already refused anonymous calls. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (principal === undefined) throw new UnauthorizedException('Authentication required');
  return principal;
});
