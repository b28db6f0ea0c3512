import type { Logger } from '@nestjs/common';
import {
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  CircuitState,
  bulkhead,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import type { PolicySettings } from './policy-settings';
import type { CircuitStateName } from '../monitoring/integration-metrics';
import { buildBreaker } from './composite-breaker';
import { countsAgainstProvider } from './failure-classification';
import type { RateLimitGate } from './rate-limit-gate';

export interface CircuitSnapshot {
  readonly state: CircuitStateName;
  /** While open: ms until one probe call is let through. */
  readonly retryInMs?: number;
}

export interface ProviderPolicyHooks {
  readonly logger: Logger;
  readonly onCircuitChange: (provider: string, state: CircuitStateName) => void;
}

/**
 * What one provider's calls share, whatever the operation: the bulkhead,
 * the provider's rate-limit bucket and the circuit breaker. Built once per
 * provider by the registry.
 */
export class ProviderPolicy {
  readonly bulkhead: BulkheadPolicy;
  readonly breaker?: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    readonly provider: string,
    readonly settings: PolicySettings,
    readonly gate: RateLimitGate | undefined,
    hooks: ProviderPolicyHooks,
  ) {
    this.bulkhead = bulkhead(settings.bulkheadLimit, settings.bulkheadQueue);
    const breaker = buildBreaker(settings);
    if (breaker !== undefined) {
      this.breaker = circuitBreaker(handleWhen(countsAgainstProvider), {
        halfOpenAfter: settings.breakerCooldownMs,
        breaker,
      });
      this.breaker.onBreak(() => {
        this.openedAt = Date.now();
        hooks.logger.warn(
          { provider, cooldownMs: settings.breakerCooldownMs },
          `Circuit for ${provider} opened: calls fail fast for ${settings.breakerCooldownMs} ms`,
        );
        hooks.onCircuitChange(provider, 'open');
      });
      this.breaker.onHalfOpen(() => {
        hooks.logger.warn({ provider }, `Circuit for ${provider} half-open: one probe call goes through`);
        hooks.onCircuitChange(provider, 'half_open');
      });
      this.breaker.onReset(() => {
        hooks.logger.warn({ provider }, `Circuit for ${provider} closed: the probe call succeeded`);
        hooks.onCircuitChange(provider, 'closed');
      });
    }
  }

  /** ms until the open breaker lets a probe through (0 when it would now). */
  remainingCooldownMs(): number {
    return Math.max(0, this.openedAt + this.settings.breakerCooldownMs - Date.now());
  }

  circuit(): CircuitSnapshot {
    switch (this.breaker?.state) {
      case CircuitState.Open:
      case CircuitState.Isolated:
        return { state: 'open', retryInMs: this.remainingCooldownMs() };
      case CircuitState.HalfOpen:
        return { state: 'half_open' };
      default:
        return { state: 'closed' };
    }
  }
}
