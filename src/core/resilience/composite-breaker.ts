import { type CircuitState, ConsecutiveBreaker, type IBreaker, SamplingBreaker } from 'cockatiel';

export interface BreakerSettings {
  readonly breakerConsecutive: number;
  readonly breakerRatio: number;
  readonly breakerWindowMs: number;
  readonly breakerMinCalls: number;
}

/**
 * Opens when any of its breakers would: cockatiel's `ConsecutiveBreaker`
 * (N failures in a row) and `SamplingBreaker` (failure ratio over a sliding
 * window with a minimum throughput) side by side.
 */
export class AnyOfBreaker implements IBreaker {
  constructor(private readonly breakers: readonly IBreaker[]) {}

  get state(): unknown {
    return this.breakers.map((breaker) => breaker.state);
  }

  set state(value: unknown) {
    if (!Array.isArray(value)) return;
    const states: unknown[] = value;
    this.breakers.forEach((breaker, i) => (breaker.state = states[i]));
  }

  success(state: CircuitState): void {
    for (const breaker of this.breakers) breaker.success(state);
  }

  failure(state: CircuitState): boolean {
    let open = false;
    for (const breaker of this.breakers) open = breaker.failure(state) || open;
    return open;
  }
}

/** The breaker the settings ask for, or undefined when both rules are off. */
export function buildBreaker(settings: BreakerSettings): IBreaker | undefined {
  const breakers: IBreaker[] = [];
  if (settings.breakerConsecutive > 0) breakers.push(new ConsecutiveBreaker(settings.breakerConsecutive));
  if (settings.breakerRatio > 0) {
    breakers.push(
      new SamplingBreaker({
        threshold: settings.breakerRatio,
        duration: settings.breakerWindowMs,
        // cockatiel expresses the minimum throughput as a rate over the window.
        minimumRps: settings.breakerMinCalls / (settings.breakerWindowMs / 1000),
      }),
    );
  }
  if (breakers.length === 0) return undefined;
  return breakers.length === 1 ? breakers[0] : new AnyOfBreaker(breakers);
}
