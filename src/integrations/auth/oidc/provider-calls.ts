import { Injectable, Logger } from '@nestjs/common';
import { IntegrationMetrics } from '../../../core/monitoring/integration-metrics';
import { type AnyMethod, wrapMethod } from '../../../core/resilience/method-wrapper';
import { ResiliencePolicyRegistry } from '../../../core/resilience/policy-registry';

type Call = (fn: () => Promise<unknown>) => Promise<unknown>;

/**
 * `@Resilient` + `@Monitored` for providers named by configuration
 * (`OIDC_PROVIDERS`), where a decorator's literal provider name cannot be
 * written: the same wrapper the resilience explorer applies, with the named
 * provider's policy (`RESILIENCE_<NAME>_*`), metrics and logs.
 */
@Injectable()
export class ProviderCalls {
  private readonly logger = new Logger('ProviderCall');
  private readonly wrapped = new Map<string, Call>();

  constructor(
    private readonly registry: ResiliencePolicyRegistry,
    private readonly metrics: IntegrationMetrics,
  ) {}

  /**
   * Makes `provider` known to the resilience settings before start-up checks
   * them, so `RESILIENCE_<NAME>_*` overrides for a configured issuer are accepted.
   */
  declare(provider: string): void {
    this.registry.configure(provider, {});
  }

  /** Runs `fn` (each attempt calls it again) under `provider`'s policy. Not idempotent: one attempt. */
  run<T>(provider: string, operation: string, fn: () => Promise<T>, idempotent = true): Promise<T> {
    const key = `${provider}\u0000${operation}\u0000${idempotent}`;
    let call = this.wrapped.get(key);
    if (call === undefined) {
      const metrics = this.metrics.forOperation(provider, operation);
      const resilient = { provider, idempotent };
      call = wrapMethod(((inner: () => Promise<unknown>) => inner()) as AnyMethod, {
        provider,
        operation,
        resilient,
        policy: () => this.registry.operation(provider, operation, resilient),
        metrics,
        policyMetrics: metrics,
        logger: this.logger,
        debug: false,
      }) as Call;
      this.wrapped.set(key, call);
    }
    return call(fn) as Promise<T>;
  }
}
