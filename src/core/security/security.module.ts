import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthenticationGuard } from './authentication.guard';
import { InboundRateLimiter } from './rate-limit/inbound-rate-limiter';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RouteAccessInventory } from './route-access.inventory';
import { SameOriginPolicy } from './same-origin.policy';

/**
 * Registers the global guards, in this order: identity, scope and origin first, then the
 * inbound rate limit (it needs the principal). User sessions come from whichever module
 * provides `SessionVerifier` globally (the auth integration), which also uses
 * `SameOriginPolicy` for `/auth/refresh`.
 */
@Module({
  imports: [ApiKeysModule, DiscoveryModule],
  providers: [
    SameOriginPolicy,
    RouteAccessInventory,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    InboundRateLimiter,
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [SameOriginPolicy, RouteAccessInventory],
})
export class SecurityModule {}
