import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DurableProcessor } from '../core/durable/durable.processor';
import { ProviderStatusRegistry } from '../health/provider-status.registry';
import type { OverviewDto, ProviderOverviewDto, QueueOverviewDto } from './overview.dto';
import { ProviderFiguresWindow, readMetrics } from './provider-figures';

/** Rates cover (up to) the last minute. */
export const OVERVIEW_WINDOW_MS = 60_000;

/** Clock for the overview (a provider so the figures' spec can move time). */
export const OVERVIEW_CLOCK = Symbol('OVERVIEW_CLOCK');
export type OverviewClock = () => number;

/**
 * The console's first screen: each provider's readiness (the probes behind
 * /health/ready), breaker state, call rate, error rate and p95 latency (the
 * prom-client registry), and each durable queue's backlog. Per instance:
 * metrics are this process's own.
 */
@Injectable()
export class OverviewService {
  private readonly window: ProviderFiguresWindow;

  constructor(
    private readonly registry: Registry,
    private readonly statuses: ProviderStatusRegistry,
    private readonly processor: DurableProcessor,
    private readonly clock: OverviewClock,
  ) {
    this.window = new ProviderFiguresWindow(OVERVIEW_WINDOW_MS, clock());
  }

  async overview(): Promise<OverviewDto> {
    const [providers, queues] = await Promise.all([this.providers(), this.queues()]);
    return { generatedAt: new Date(this.clock()).toISOString(), ...providers, queues };
  }

  private async providers(): Promise<{ windowSeconds: number; providers: ProviderOverviewDto[] }> {
    const reading = await readMetrics(this.registry);
    const { seconds, figures } = this.window.add(this.clock(), reading.totals);
    const readiness = this.statuses.snapshot();
    const names = new Set([...Object.keys(readiness), ...reading.totals.keys(), ...reading.breakers.keys()]);
    const providers = [...names].sort().map((name) => ({
      name,
      readiness: readiness[name]?.status ?? 'unknown',
      breaker: reading.breakers.get(name) ?? 'closed',
      callsPerMinute: figures.get(name)?.callsPerMinute ?? (seconds >= 1 ? 0 : null),
      errorRate: figures.get(name)?.errorRate ?? null,
      p95Ms: figures.get(name)?.p95Ms ?? null,
      callsTotal: figures.get(name)?.callsTotal ?? 0,
      errorsTotal: figures.get(name)?.errorsTotal ?? 0,
    }));
    return { windowSeconds: Math.round(seconds), providers };
  }

  private async queues(): Promise<QueueOverviewDto[]> {
    const now = this.clock();
    return Promise.all(
      this.processor.queues().map(async (queue) => {
        const [counts, oldest] = await Promise.all([queue.counts(), queue.oldestPendingAt()]);
        return {
          name: queue.name,
          pending: counts.pending ?? 0,
          processing: counts.processing ?? 0,
          done: counts.done ?? 0,
          dead: counts.dead ?? 0,
          oldestPendingAgeSeconds: oldest === null ? null : Math.max(0, Math.round((now - oldest.getTime()) / 1000)),
        };
      }),
    );
  }
}
