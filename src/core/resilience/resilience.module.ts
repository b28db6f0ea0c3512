import { Global, Module, type OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ProviderStatusRegistry } from '../../health/provider-status.registry';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { ResiliencePolicyRegistry } from './policy-registry';
import { RateLimitRedisCloser, rateLimitRedisProvider } from './rate-limit-redis.provider';
import { circuitOverlay } from './resilience-health';
import { ResilienceExplorer } from './resilience.explorer';
import { RATE_LIMIT_REDIS } from './resilience.constants';

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
  // The Redis client is shared with the inbound rate limiter (core/security).
  exports: [ResiliencePolicyRegistry, RATE_LIMIT_REDIS],
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
