import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthenticationGuard } from './authentication.guard';

/**
 * Registers the global guard. User sessions come from whichever module
 * provides `SessionVerifier` globally (the auth integration).
 */
@Module({
  imports: [ApiKeysModule],
  providers: [{ provide: APP_GUARD, useClass: AuthenticationGuard }],
})
export class SecurityModule {}
