import { Injectable, Optional } from '@nestjs/common';
import type { CircuitSnapshot } from '../core/resilience/provider-policy';
import { ResiliencePolicyRegistry } from '../core/resilience/policy-registry';

/** What `/health/ready` says of one provider. None of these fails readiness. */
export type ProviderState = 'up' | 'not_configured' | 'degraded';

export interface ProviderHealth {
  readonly status: ProviderState;
  /** Safe details (e.g. `{ circuit: 'open', retryInSeconds: 12 }`). */
  readonly [detail: string]: unknown;
}

export type ProviderProbe = () => ProviderHealth;

/**
 * Every provider's state for the readiness endpoint. It names none itself:
 * each integration registers its own probe (an `HttpClientModule` client
 * does so when registered), and an open breaker turns an entry `degraded`.
 */
@Injectable()
export class ProviderStatusRegistry {
  private readonly probes = new Map<string, ProviderProbe>();

  constructor(@Optional() private readonly resilience?: ResiliencePolicyRegistry) {}

  /** Adds or replaces the probe for `provider`. */
  register(provider: string, probe: ProviderProbe): void {
    this.probes.set(provider, probe);
  }

  snapshot(): Record<string, ProviderHealth> {
    const result: Record<string, ProviderHealth> = {};
    for (const [name, probe] of [...this.probes.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      result[name] = circuitOverlay(this.resilience?.circuit(name), probe());
    }
    return result;
  }
}

/**
 * A provider whose breaker is open (or probing) is `degraded`, with the
 * breaker state and when the next probe goes through. "Not configured"
 * stays as it is: there is nothing to call.
 */
export function circuitOverlay(circuit: CircuitSnapshot | undefined, health: ProviderHealth): ProviderHealth {
  if (circuit === undefined || health.status === 'not_configured') return health;
  if (circuit.state === 'closed') return { ...health, circuit: 'closed' };
  return {
    ...health,
    status: 'degraded',
    circuit: circuit.state,
    ...(circuit.retryInMs === undefined ? {} : { retryInSeconds: Math.ceil(circuit.retryInMs / 1000) }),
  };
}
