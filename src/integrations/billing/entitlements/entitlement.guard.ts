import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '../../../core/errors/problem.exception';
import { type RequestWithPrincipal, ownerIdOf } from '../../../core/security/principal';
import { EntitlementsService } from './entitlements.service';
import { REQUIRED_ENTITLEMENT } from './requires-entitlement.decorator';

/**
 * Global guard behind `@RequiresEntitlement`. It runs after the
 * authentication guard (registered later), so the principal is known;
 * routes without the metadata pass untouched.
 */
@Injectable()
export class EntitlementGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly entitlements: EntitlementsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const feature = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_ENTITLEMENT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (feature === undefined) return true;
    const principal = context.switchToHttp().getRequest<RequestWithPrincipal>().principal;
    if (principal === undefined) throw new UnauthorizedException('Authentication required');
    if (await this.entitlements.has(ownerIdOf(principal), feature)) return true;
    throw new ProblemException(403, `This needs the "${feature}" entitlement (an active subscription that grants it)`, {
      slug: 'entitlement-required',
      title: 'Entitlement required',
      extensions: { entitlement: feature },
    });
  }
}
