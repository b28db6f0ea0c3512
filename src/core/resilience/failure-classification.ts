import {
  ProviderNotConfiguredError,
  ProviderRejectedError,
  ProviderTimeoutError,
  RateLimitedError,
  isIntegrationError,
} from '../errors/integration.error';
import type { CallOutcome } from '../monitoring/integration-metrics';

/** `code` of the errors the resilience layer raises itself (not the provider). */
export const CIRCUIT_OPEN = 'circuit_open';
export const BULKHEAD_FULL = 'bulkhead_full';
export const RATE_LIMITED = 'rate_limited';
export const TIMED_OUT = 'timeout';

/**
 * Whether a failure says something about the provider's health. Client
 * errors (400/401/403/404/422: our request was wrong) and "not configured"
 * do not; timeouts, 5xx, network errors, 408/429 and unknown errors do.
 */
export function countsAgainstProvider(error: unknown): boolean {
  if (!isIntegrationError(error)) return true;
  if (error instanceof ProviderRejectedError || error instanceof ProviderNotConfiguredError) return false;
  if (error.retryable) return true;
  const status = error.upstreamStatus;
  return status === undefined || status < 400 || status >= 500 || status === 408 || status === 429;
}

/** The `outcome` label of a failed call. */
export function outcomeOf(error: unknown): CallOutcome {
  if (!isIntegrationError(error)) return 'error';
  if (error.code === CIRCUIT_OPEN) return 'circuit_open';
  if (error instanceof RateLimitedError || error.code === BULKHEAD_FULL) return 'rate_limited';
  if (error instanceof ProviderTimeoutError) return 'timeout';
  if (error instanceof ProviderRejectedError || error instanceof ProviderNotConfiguredError) return 'rejected';
  return 'error';
}
