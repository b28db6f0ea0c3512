import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthenticationGuard } from './authentication.guard';
import { RouteAccessInventory } from './route-access.inventory';
import { SameOriginPolicy } from './same-origin.policy';

/**
 * Registers the global guard. User sessions come from whichever module
 * provides `SessionVerifier` globally (the auth integration), which also
 * uses `SameOriginPolicy` for `/auth/refresh`.
 */
@Module({
  imports: [ApiKeysModule, DiscoveryModule],
  providers: [SameOriginPolicy, RouteAccessInventory, { provide: APP_GUARD, useClass: AuthenticationGuard }],
  exports: [SameOriginPolicy, RouteAccessInventory],
})
export class SecurityModule {}
