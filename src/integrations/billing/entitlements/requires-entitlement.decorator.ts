import { SetMetadata } from '@nestjs/common';

export const REQUIRED_ENTITLEMENT = 'portico:required-entitlement';

/**
 * The caller must hold this feature (BILLING_ENTITLEMENTS, from an active,
 * trialing or in-grace subscription); otherwise 403 problem
 * `…/entitlement-required`. Works on any route of any module (the billing
 * module's global guard reads it); a method's value beats its class's.
 * Only stores metadata. The route still declares its scope as usual.
 * @example
 * ```ts
 * @Get('reports') @RequireScopes('payments:read') @RequiresEntitlement('pro')
 * ```
 */
export const RequiresEntitlement = (feature: string): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ENTITLEMENT, feature);
