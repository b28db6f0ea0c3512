import { Global, Module, type OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ProviderStatusRegistry } from '../../health/provider-status.registry';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { ResiliencePolicyRegistry } from './policy-registry';
import { RateLimitRedisCloser, rateLimitRedisProvider } from './rate-limit-redis.provider';
import { circuitOverlay } from './resilience-health';
import { ResilienceExplorer } from './resilience.explorer';

/**
 * Applies `@Resilient` and `@Monitored`: the explorer wraps decorated
 * methods at start-up with the provider's policy from the registry
 * (bulkhead → rate limit → breaker → retry → timeout → call) and records
 * `integration_*` metrics. Open breakers show as `degraded` in
 * `/health/ready`. See docs/EXTENDING.md.
 */
@Global()
@Module({
  imports: [DiscoveryModule, MonitoringModule],
  providers: [ResiliencePolicyRegistry, ResilienceExplorer, rateLimitRedisProvider, RateLimitRedisCloser],
  exports: [ResiliencePolicyRegistry],
})
export class ResilienceModule implements OnModuleInit {
  constructor(
    private readonly registry: ResiliencePolicyRegistry,
    @Optional() private readonly status?: ProviderStatusRegistry,
  ) {}

  onModuleInit(): void {
    this.status?.addOverlay((provider, health) => circuitOverlay(this.registry.circuit(provider), health));
  }
}
