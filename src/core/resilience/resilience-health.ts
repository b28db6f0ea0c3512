import type { ProviderHealth } from '../../health/provider-status.registry';
import type { CircuitSnapshot } from './provider-policy';

/**
 * `/health/ready` overlay: a provider whose breaker is open (or probing) is
 * `degraded`, with the breaker state and when the next probe goes through.
 * "Not configured" stays as it is: there is nothing to call.
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
