import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type Redis from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { IntegrationMetrics } from '../monitoring/integration-metrics';
import { OperationPolicy } from './operation-policy';
import {
  BASE_POLICY,
  type OperationSettingsOverride,
  type PolicySettings,
  type ProviderProfile,
  providerSegment,
} from './policy-settings';
import { type CircuitSnapshot, ProviderPolicy } from './provider-policy';
import { RateLimitGate } from './rate-limit-gate';
import type { ResilienceOverrides } from './resilient.decorator';
import { RATE_LIMIT_REDIS } from './resilience.constants';
import { RESILIENCE_OPTIONS, type ResilienceOptions } from './resilience.options';

/** Start-up refusal: an operator override names no provider this app has. */
export class UnknownProviderSettingsError extends Error {
  constructor(
    readonly variables: readonly string[],
    readonly known: readonly string[],
  ) {
    super(
      `Resilience settings for unknown providers: ${variables.join(', ')}. ` +
        `Known providers: ${known.join(', ')} (and DEFAULT for all of them).`,
    );
    this.name = 'UnknownProviderSettingsError';
  }
}

/**
 * Builds and caches the policies: one `ProviderPolicy` per provider name
 * (bulkhead, bucket, breaker) and one `OperationPolicy` per operation.
 * Settings are resolved on a provider's first call, so a module may add
 * its profile (`configure`) any time before that; most specific last:
 * base values, `DEFAULT` overrides, the provider's profile (built in, then
 * from its module), the operator's overrides for the provider.
 */
@Injectable()
export class ResiliencePolicyRegistry {
  private readonly logger = new Logger('Resilience');
  private readonly providers = new Map<string, ProviderPolicy>();
  private readonly operations = new Map<string, OperationPolicy>();
  private readonly gates = new Map<string, RateLimitGate>();
  private readonly moduleProfiles = new Map<string, ProviderProfile>();

  constructor(
    @Inject(RESILIENCE_OPTIONS) private readonly options: ResilienceOptions,
    @Optional() private readonly metrics?: IntegrationMetrics,
    @Optional() @Inject(RATE_LIMIT_REDIS) private readonly redis?: Redis | null,
  ) {}

  /**
   * Adds settings a module derives from its own config (e.g. `FORECAST_TIMEOUT_MS`
   * as `{ timeoutMs }`, or `{ operations: { 'forecast.get': { maxAttempts: 1 } } }`).
   * Operator overrides (`RESILIENCE_<PROVIDER>_*`) still win.
   */
  configure(provider: string, profile: ProviderProfile): void {
    if (this.providers.has(provider)) {
      this.logger.warn(`${provider}: settings added after its first call apply to operations not yet called`);
    }
    const current = this.moduleProfiles.get(provider);
    this.moduleProfiles.set(provider, {
      ...current,
      ...profile,
      operations: { ...current?.operations, ...profile.operations },
    });
  }

  /** The resolved settings of `provider`. */
  settingsFor(provider: string): PolicySettings {
    const { operations: _builtIn, ...profile } = this.options.profiles?.[provider] ?? {};
    const { operations: _own, ...own } = this.moduleProfiles.get(provider) ?? {};
    return {
      ...BASE_POLICY,
      ...this.options.overrides?.DEFAULT,
      ...profile,
      ...own,
      ...this.options.overrides?.[providerSegment(provider)],
    };
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

  /**
   * The policy of one operation of `provider`. Its timeout and attempts:
   * the provider's, then the decorator's literal overrides, then the
   * operation's settings from config (the most specific word wins).
   */
  operation(provider: string, operation: string, overrides: ResilienceOverrides = {}): OperationPolicy {
    const shared = this.provider(provider);
    const settings = { ...shared.settings, ...pickDefined(overrides), ...this.operationSettings(provider, operation) };
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

  /**
   * Refuses operator overrides whose segment matches none of `names` (the
   * providers the app calls) nor a profile: a typo such as
   * `RESILIENCE_STIRPE_TIMEOUT_MS` would otherwise be ignored.
   * @throws UnknownProviderSettingsError
   */
  verifyOverrides(names: Iterable<string>): void {
    const known = new Set([...names, ...Object.keys(this.options.profiles ?? {}), ...this.moduleProfiles.keys()]);
    const segments = new Set([...known].map(providerSegment));
    const unknown = Object.keys(this.options.overrides ?? {}).filter(
      (segment) => segment !== 'DEFAULT' && !segments.has(segment),
    );
    if (unknown.length === 0) return;
    const variables = unknown.flatMap((segment) => this.options.overrideSources?.[segment] ?? [segment]);
    throw new UnknownProviderSettingsError(variables, [...known].sort());
  }

  /** Breaker state of every provider that has a policy. */
  circuits(): Map<string, CircuitSnapshot> {
    return new Map([...this.providers].map(([name, policy]) => [name, policy.circuit()]));
  }

  circuit(provider: string): CircuitSnapshot | undefined {
    return this.providers.get(provider)?.circuit();
  }

  private operationSettings(provider: string, operation: string): OperationSettingsOverride {
    return {
      ...this.options.profiles?.[provider]?.operations?.[operation],
      ...this.moduleProfiles.get(provider)?.operations?.[operation],
    };
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

  /** A one-second window of `ratePerSec` calls; in Redis (shared by all instances) when a Redis URL is given. */
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

function pickDefined(overrides: ResilienceOverrides): OperationSettingsOverride {
  const result: { timeoutMs?: number; maxAttempts?: number } = {};
  if (overrides.timeoutMs !== undefined) result.timeoutMs = overrides.timeoutMs;
  if (overrides.maxAttempts !== undefined) result.maxAttempts = overrides.maxAttempts;
  return result;
}
