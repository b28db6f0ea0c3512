import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthenticationGuard } from './authentication.guard';
import { InboundRateLimiter } from './rate-limit/inbound-rate-limiter';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';

/**
 * Registers the global guards, in this order: identity first, then the
 * inbound rate limit (it needs the principal). User sessions come from
 * whichever module provides `SessionVerifier` globally (the auth integration).
 */
@Module({
  imports: [ApiKeysModule],
  providers: [
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    InboundRateLimiter,
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class SecurityModule {}
