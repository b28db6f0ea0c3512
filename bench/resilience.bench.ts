/**
 * Per-call overhead of @Resilient + @Monitored around a no-op async method,
 * against the bare call and against the same cockatiel policies used
 * directly. `npm run bench:resilience`; prints a table (median of RUNS runs).
 */
import 'reflect-metadata';
import { cpus, loadavg } from 'node:os';
import { Injectable, Logger, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import {
  ConsecutiveBreaker,
  SamplingBreaker,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import { appConfig } from '../src/config/app.config';
import { redisConfig } from '../src/config/redis.config';
import { type PolicySettings, resilienceConfig, resilienceOptions } from '../src/config/resilience.config';
import { Monitored } from '../src/core/monitoring/monitored.decorator';
import { AnyOfBreaker } from '../src/core/resilience/composite-breaker';
import { ResilienceModule } from '../src/core/resilience/resilience.module';
import { Resilient } from '../src/core/resilience/resilient.decorator';

const CALLS = Number(process.env.BENCH_CALLS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const WARMUP = 20_000;

/** The provider policies under test: breaker, retry and bulkhead on; the rate limit off (row with it below). */
const POLICY: Partial<PolicySettings> = {
  ratePerSec: 0,
  maxAttempts: 3,
  timeoutMs: 10_000,
  breakerConsecutive: 5,
  breakerRatio: 0.5,
  bulkheadLimit: 20,
  bulkheadQueue: 100,
};

@Injectable()
class Target {
  async bare(): Promise<number> {
    return 1;
  }

  @Resilient('bench')
  @Monitored('bench', 'noop')
  async resilientMonitored(): Promise<number> {
    return 1;
  }

  @Resilient('bench')
  async resilientOnly(): Promise<number> {
    return 1;
  }

  @Monitored('bench', 'monitored')
  async monitoredOnly(): Promise<number> {
    return 1;
  }

  @Resilient('bench-rl')
  @Monitored('bench-rl', 'noop')
  async withRateLimit(): Promise<number> {
    return 1;
  }
}

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig, redisConfig, resilienceConfig] }),
    ResilienceModule.forRootAsync({
      inject: [resilienceConfig.KEY, appConfig.KEY, redisConfig.KEY],
      useFactory: resilienceOptions,
    }),
  ],
  providers: [Target],
})
class BenchModule {}

type Variant = { readonly name: string; readonly call: () => Promise<unknown> };

interface Sample {
  /** Wall-clock ns per call. */
  readonly wall: number;
  /** CPU ns per call (user + system of this process): what one core spends, whoever else shares the machine. */
  readonly cpu: number;
}

async function timeRun(call: () => Promise<unknown>, calls: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call();
  const wall = Number(process.hrtime.bigint() - start) / calls;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: ((used.user + used.system) * 1000) / calls };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  // As in production (pino at info): debug lines are built but not written.
  Logger.overrideLogger(['error', 'warn', 'log']);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  const target = app.get(Target);

  // The same cockatiel policies the registry builds for 'bench', used directly.
  const breaker = new AnyOfBreaker([
    new ConsecutiveBreaker(5),
    new SamplingBreaker({ threshold: 0.5, duration: 30_000, minimumRps: 20 / 30 }),
  ]);
  const direct = wrap(
    bulkhead(20, 100),
    circuitBreaker(
      handleWhen(() => true),
      { halfOpenAfter: 30_000, breaker },
    ),
    retry(
      handleWhen(() => true),
      { maxAttempts: 2 },
    ),
  );
  const directWithTimeout = wrap(direct, timeout(10_000, TimeoutStrategy.Aggressive));
  const noop = async (): Promise<number> => 1;

  const variants: Variant[] = [
    { name: 'bare async call', call: () => target.bare() },
    { name: 'cockatiel direct: bulkhead+breaker+retry', call: () => direct.execute(noop) },
    { name: 'cockatiel direct: + TimeoutPolicy', call: () => directWithTimeout.execute(noop) },
    { name: '@Monitored only', call: () => target.monitoredOnly() },
    { name: '@Resilient only', call: () => target.resilientOnly() },
    { name: '@Resilient + @Monitored', call: () => target.resilientMonitored() },
    { name: '@Resilient + @Monitored, memory rate limit', call: () => target.withRateLimit() },
  ];
  for (const variant of variants) await timeRun(variant.call, WARMUP);

  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
  // Interleaved runs so machine noise spreads over every variant alike.
  for (let run = 0; run < RUNS; run++) {
    for (const variant of variants) samples.get(variant.name)?.push(await timeRun(variant.call, CALLS));
  }

  const wall = (name: string): number => median((samples.get(name) ?? []).map((s) => s.wall));
  const cpu = (name: string): number => median((samples.get(name) ?? []).map((s) => s.cpu));
  const BARE = 'bare async call';
  const DIRECT = 'cockatiel direct: bulkhead+breaker+retry';
  const rows = variants.map((variant) => ({
    variant: variant.name,
    'calls/s (wall)': Math.round(1e9 / wall(variant.name)).toLocaleString('en-US'),
    'ns/call wall': Math.round(wall(variant.name)),
    'ns/call CPU': Math.round(cpu(variant.name)),
    'CPU ns added vs bare': Math.round(cpu(variant.name) - cpu(BARE)),
    'CPU ns added vs cockatiel': variant.name.startsWith('@') ? Math.round(cpu(variant.name) - cpu(DIRECT)) : '',
  }));
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  process.stdout.write(
    `\nResilience overhead: ${CALLS.toLocaleString('en-US')} sequential awaited calls per run, median of ${RUNS} runs, ` +
      `Node ${process.version}, ${cpus().length} CPUs, load average ${load} (other processes share the CPUs)\n`,
  );
  console.table(rows);
  const HEADLINE = '@Resilient + @Monitored';
  process.stdout.write(
    `${HEADLINE}: ${((cpu(HEADLINE) - cpu(BARE)) / 1000).toFixed(2)} µs CPU added per call ` +
      `(${((wall(HEADLINE) - wall(BARE)) / 1000).toFixed(2)} µs wall) — goal ≤ 5 µs; ` +
      `${Math.round(1e9 / cpu(HEADLINE)).toLocaleString('en-US')} calls/s per CPU-second ` +
      `(${Math.round(1e9 / wall(HEADLINE)).toLocaleString('en-US')} calls/s wall) — goal ≥ 100,000\n`,
  );
  await app.close();
}

void (async () => {
  // The registry reads RESILIENCE_BENCH_* like any provider's settings.
  for (const [key, value] of Object.entries(POLICY)) {
    const env = {
      ratePerSec: 'RATE_PER_SEC',
      maxAttempts: 'MAX_ATTEMPTS',
      timeoutMs: 'TIMEOUT_MS',
      breakerConsecutive: 'BREAKER_CONSECUTIVE',
      breakerRatio: 'BREAKER_RATIO',
      bulkheadLimit: 'BULKHEAD_LIMIT',
      bulkheadQueue: 'BULKHEAD_QUEUE',
    }[key];
    if (env !== undefined) process.env[`RESILIENCE_BENCH_${env}`] = String(value);
  }
  process.env.RESILIENCE_BENCH_RL_RATE_PER_SEC = '1000000';
  await main();
})().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
