import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { ProviderStatusRegistry } from './provider-status.registry';

/** `/health/live` and `/health/ready`; the registry is global so integrations can report their state. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false, gracefulShutdownTimeoutMs: 0 })],
  controllers: [HealthController],
  providers: [ProviderStatusRegistry],
  exports: [ProviderStatusRegistry],
})
export class HealthModule {}
