import { SetMetadata } from '@nestjs/common';

export const MONITORED = 'portico:monitored';

export interface MonitoredMetadata {
  readonly provider: string;
  /** Operation label; defaults to the method name. */
  readonly operation?: string;
}

/**
 * Records calls of a method (or every `async` method declared on a class) as
 * `integration_calls_total{provider,operation,outcome}`, a duration
 * histogram and debug/warn/error logs. Only stores metadata; the explorer
 * wraps the method at start-up. A method decorator overrides the class one.
 */
export const Monitored = (provider: string, operation?: string): MethodDecorator & ClassDecorator =>
  SetMetadata<string, MonitoredMetadata>(MONITORED, { provider, operation });
