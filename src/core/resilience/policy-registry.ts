import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type Redis from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { type PolicySettings, resilienceConfig, resolvePolicySettings } from '../../config/resilience.config';
import { IntegrationMetrics } from '../monitoring/integration-metrics';
import { OperationPolicy } from './operation-policy';
import { type CircuitSnapshot, ProviderPolicy } from './provider-policy';
import { RateLimitGate } from './rate-limit-gate';
import type { ResilienceOverrides } from './resilient.decorator';
import { RATE_LIMIT_REDIS } from './resilience.constants';

/**
 * Builds and caches the policies: one `ProviderPolicy` per provider name
 * (bulkhead, bucket, breaker) and one `OperationPolicy` per distinct
 * override set. Settings come from `resilienceConfig`; breaker states are
 * exposed for health and metrics.
 */
@Injectable()
export class ResiliencePolicyRegistry {
  private readonly logger = new Logger('Resilience');
  private readonly providers = new Map<string, ProviderPolicy>();
  private readonly operations = new Map<string, OperationPolicy>();
  private readonly gates = new Map<string, RateLimitGate>();

  constructor(
    @Inject(resilienceConfig.KEY) private readonly config: ConfigType<typeof resilienceConfig>,
    @Optional() private readonly metrics?: IntegrationMetrics,
    @Optional() @Inject(RATE_LIMIT_REDIS) private readonly redis?: Redis | null,
  ) {}

  /** The resolved settings of `provider` (config, profile, defaults). */
  settingsFor(provider: string): PolicySettings {
    return resolvePolicySettings(this.config, provider);
  }

  /** The provider's shared policy, built on first use. */
  provider(name: string): ProviderPolicy {
    let policy = this.providers.get(name);
    if (policy === undefined) {
      const settings = this.settingsFor(name);
      const gate = settings.ratePerSec > 0 ? this.gate(name, name, settings) : undefined;
      policy = new ProviderPolicy(name, settings, gate, {
        logger: this.logger,
        onCircuitChange: (provider, state) => this.metrics?.setCircuitState(provider, state),
      });
      this.metrics?.setCircuitState(name, 'closed');
      this.providers.set(name, policy);
    }
    return policy;
  }

  /** The policy of one operation of `provider` with `overrides` applied (cached per distinct override set). */
  operation(provider: string, operation: string, overrides: ResilienceOverrides = {}): OperationPolicy {
    const shared = this.provider(provider);
    const settings = { ...shared.settings, ...pickDefined(overrides) };
    const key = [provider, operation, settings.timeoutMs, settings.maxAttempts, overrides.rateLimitKey ?? ''].join(
      '\u0000',
    );
    let policy = this.operations.get(key);
    if (policy === undefined) {
      const operationGate =
        overrides.rateLimitKey !== undefined && settings.ratePerSec > 0
          ? this.gate(provider, `${provider}:${overrides.rateLimitKey}`, settings)
          : undefined;
      policy = new OperationPolicy(shared, operation, settings, operationGate);
      this.operations.set(key, policy);
    }
    return policy;
  }

  /** Breaker state of every provider that has a policy. */
  circuits(): Map<string, CircuitSnapshot> {
    return new Map([...this.providers].map(([name, policy]) => [name, policy.circuit()]));
  }

  circuit(provider: string): CircuitSnapshot | undefined {
    return this.providers.get(provider)?.circuit();
  }

  private gate(provider: string, key: string, settings: PolicySettings): RateLimitGate {
    let gate = this.gates.get(key);
    if (gate === undefined) {
      gate = new RateLimitGate(this.limiter(settings), {
        provider,
        key,
        maxWaitMs: settings.rateMaxWaitMs,
        maxQueue: settings.rateMaxQueue,
        logger: this.logger,
      });
      this.gates.set(key, gate);
    }
    return gate;
  }

  /** A one-second window of `ratePerSec` calls; in Redis (shared by all instances) when REDIS_URL is set. */
  private limiter(settings: PolicySettings): RateLimiterAbstract {
    const options = { points: settings.ratePerSec, duration: 1 };
    if (this.redis === undefined || this.redis === null)
      return new RateLimiterMemory({ ...options, keyPrefix: 'portico-rl' });
    return new RateLimiterRedis({
      ...options,
      storeClient: this.redis,
      keyPrefix: 'portico-rl',
      // Redis down: each instance keeps its own budget instead of failing calls.
      insuranceLimiter: new RateLimiterMemory(options),
    });
  }
}

function pickDefined(overrides: ResilienceOverrides): Partial<Pick<PolicySettings, 'timeoutMs' | 'maxAttempts'>> {
  const result: { timeoutMs?: number; maxAttempts?: number } = {};
  if (overrides.timeoutMs !== undefined) result.timeoutMs = overrides.timeoutMs;
  if (overrides.maxAttempts !== undefined) result.maxAttempts = overrides.maxAttempts;
  return result;
}
