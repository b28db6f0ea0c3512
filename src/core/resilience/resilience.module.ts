import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { ResiliencePolicyRegistry } from './policy-registry';
import { RateLimitRedisCloser, rateLimitRedisProvider } from './rate-limit-redis.provider';
import { ResilienceExplorer } from './resilience.explorer';
import { RATE_LIMIT_REDIS } from './resilience.constants';
import { ResilienceModuleClass } from './resilience.options';

/**
 * Applies `@Resilient` and `@Monitored`: the explorer wraps decorated
 * methods at start-up; each call runs under its provider's policy from the
 * registry (bulkhead → rate limit → breaker → retry → timeout → call) and
 * records `integration_*` metrics. Options come from the app
 * (`ResilienceModule.forRoot(...)`/`forRootAsync(...)`); core reads no
 * configuration itself. See docs/EXTENDING.md.
 */
@Global()
@Module({
  imports: [DiscoveryModule, MonitoringModule],
  providers: [ResiliencePolicyRegistry, ResilienceExplorer, rateLimitRedisProvider, RateLimitRedisCloser],
  // The Redis client is shared with the inbound rate limiter (core/security).
  exports: [ResiliencePolicyRegistry, RATE_LIMIT_REDIS],
})
export class ResilienceModule extends ResilienceModuleClass {}
