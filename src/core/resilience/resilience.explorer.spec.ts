import { Injectable, Logger, Scope, SetMetadata } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { ProviderFailedError } from '../errors/integration.error';
import { Monitored } from '../monitoring/monitored.decorator';
import { type CallContext, currentCallContext, currentCallSignal } from './call-context';
import { ResilienceModule } from './resilience.module';
import { Resilient } from './resilient.decorator';
import { appConfig } from '../../config/app.config';

const flaky = (): ProviderFailedError =>
  new ProviderFailedError('503', { provider: 'demo', retryable: true, upstreamStatus: 503 });

interface Order {
  readonly sku: string;
  readonly idempotencyKey?: string;
}

@Injectable()
@Resilient('demo')
@Monitored('demo')
class DemoAdapter {
  readonly name = 'demo adapter';
  calls: Record<string, number> = {};
  contexts: CallContext[] = [];

  private count(method: string): number {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    return this.calls[method];
  }

  /** Class policy: 3 attempts (from config). */
  async alwaysFails(): Promise<never> {
    this.count('alwaysFails');
    throw flaky();
  }

  @Resilient('demo', { maxAttempts: 1 })
  @Monitored('demo', 'once.only')
  async failsOnce(): Promise<never> {
    this.count('failsOnce');
    throw flaky();
  }

  @SetMetadata('custom:role', 'reader')
  async greet(greeting: string, punctuation: string): Promise<string> {
    this.contexts.push(currentCallContext() as CallContext);
    return `${greeting}, ${this.name}${punctuation}`;
  }

  @Resilient('demo', { idempotent: false, idempotencyKey: (order: Order) => order.idempotencyKey })
  async placeOrder(order: Order): Promise<string> {
    this.contexts.push(currentCallContext() as CallContext);
    if (this.count('placeOrder') % 2 === 1) throw flaky();
    return order.sku;
  }

  /** Both wrapped by the class decorator; the nested call must not multiply attempts. */
  async outer(): Promise<never> {
    this.count('outer');
    return this.inner();
  }

  async inner(): Promise<never> {
    this.count('inner');
    throw flaky();
  }

  /** The outer call has the provider's 10 s timeout; the inner operation's own 50 ms must still hold. */
  async outerOfSlow(): Promise<string> {
    this.count('outerOfSlow');
    return this.slowInner();
  }

  @Resilient('demo', { timeoutMs: 50 })
  @Monitored('demo', 'inner.slow')
  async slowInner(): Promise<string> {
    const signal = currentCallSignal();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 20_000);
      signal?.addEventListener('abort', () => {
        this.count('slowInner.aborted');
        clearTimeout(timer);
        resolve();
      });
    });
    return 'too late';
  }

  onModuleInit(): void {
    this.calls.onModuleInit = 1;
  }

  _internal(): string {
    return 'not wrapped';
  }
}

@Injectable()
class ObservedOnly {
  calls = 0;

  /** Metrics and logs only: no retry, no timeout. */
  @Monitored('watched', 'lookup')
  async lookup(fail: boolean): Promise<string> {
    this.calls++;
    if (fail) throw new ProviderFailedError('503', { provider: 'watched', retryable: true, upstreamStatus: 503 });
    return 'found';
  }
}

@Injectable({ scope: Scope.REQUEST })
class PerRequestAdapter {
  @Resilient('demo')
  async call(): Promise<string> {
    return 'per request';
  }
}

describe('ResilienceExplorer', () => {
  let moduleRef: TestingModule;
  let adapter: DemoAdapter;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    moduleRef = await Test.createTestingModule({
      imports: [
        // MonitoringModule's /metrics reads the app config (METRICS_TOKEN).
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
        ResilienceModule.forRoot({
          overrides: { DEMO: { maxAttempts: 3, backoffBaseMs: 1, backoffCapMs: 2, ratePerSec: 0 } },
        }),
      ],
      providers: [DemoAdapter, PerRequestAdapter, ObservedOnly],
    }).compile();
    await moduleRef.init();
    adapter = moduleRef.get(DemoAdapter);
  });
  afterAll(async () => {
    await moduleRef.close();
    jest.restoreAllMocks();
  });

  it('applies the class decorator to public methods: retried up to the policy', async () => {
    await expect(adapter.alwaysFails()).rejects.toBeInstanceOf(ProviderFailedError);
    expect(adapter.calls.alwaysFails).toBe(3);
  });

  it('lets a method decorator override the class decorator', async () => {
    await expect(adapter.failsOnce()).rejects.toBeInstanceOf(ProviderFailedError);
    expect(adapter.calls.failsOnce).toBe(1);
  });

  it('keeps this, the arguments and the return value, and exposes the call context', async () => {
    await expect(adapter.greet('Hello', '!')).resolves.toBe('Hello, demo adapter!');
    const context = adapter.contexts.at(-1) as CallContext;
    expect(context).toMatchObject({ provider: 'demo', operation: 'greet', attempt: 0 });
    expect(context.signal).toBeInstanceOf(AbortSignal);
  });

  it('keeps the method’s other metadata on the wrapper', () => {
    expect(Reflect.getMetadata('custom:role', adapter.greet)).toBe('reader');
    expect(adapter.greet).not.toBe(DemoAdapter.prototype.greet);
    expect(adapter.greet.name).toBe('greet');
  });

  it('retries a non-idempotent call only when it carries an idempotency key', async () => {
    adapter.calls.placeOrder = 0;
    await expect(adapter.placeOrder({ sku: 'a' })).rejects.toBeInstanceOf(ProviderFailedError);
    expect(adapter.calls.placeOrder).toBe(1);
    adapter.calls.placeOrder = 0;
    await expect(adapter.placeOrder({ sku: 'b', idempotencyKey: 'k-1' })).resolves.toBe('b');
    expect(adapter.calls.placeOrder).toBe(2);
    expect(adapter.contexts.at(-1)).toMatchObject({ idempotencyKey: 'k-1', attempt: 1 });
  });

  it('leaves lifecycle hooks, _underscored and non-async methods alone', () => {
    expect(adapter.onModuleInit).toBe(DemoAdapter.prototype.onModuleInit);
    expect(adapter._internal).toBe(DemoAdapter.prototype._internal);
    expect(adapter['count']).toBe(DemoAdapter.prototype['count']);
    expect(adapter.calls.onModuleInit).toBe(1);
  });

  it('runs a decorated method called from inside another call of the same provider as a plain call', async () => {
    await expect(adapter.outer()).rejects.toBeInstanceOf(ProviderFailedError);
    expect(adapter.calls).toMatchObject({ outer: 3, inner: 3 });
  });

  it('keeps a nested call’s tighter timeout and aborts its signal when it fires', async () => {
    await expect(adapter.outerOfSlow()).rejects.toThrow('demo did not answer inner.slow within 50 ms');
    // Each of the outer call's 3 attempts ended by the inner timeout, its signal aborted each time.
    expect(adapter.calls).toMatchObject({ outerOfSlow: 3, 'slowInner.aborted': 3 });
  });

  it('records calls per provider, operation and outcome', async () => {
    const metrics = await moduleRef.get(Registry).getSingleMetricAsString('integration_calls_total');
    expect(metrics).toContain('integration_calls_total{provider="demo",operation="alwaysFails",outcome="error"} 1');
    expect(metrics).toContain('integration_calls_total{provider="demo",operation="once.only",outcome="error"} 1');
    expect(metrics).toContain('integration_calls_total{provider="demo",operation="greet",outcome="success"} 1');
    const retries = await moduleRef.get(Registry).getSingleMetricAsString('integration_retries_total');
    expect(retries).toContain('integration_retries_total{provider="demo",operation="alwaysFails"} 2');
  });

  it('only observes a method that has @Monitored alone', async () => {
    const observed = moduleRef.get(ObservedOnly);
    await expect(observed.lookup(false)).resolves.toBe('found');
    await expect(observed.lookup(true)).rejects.toBeInstanceOf(ProviderFailedError);
    expect(observed.calls).toBe(2);
    const metrics = await moduleRef.get(Registry).getSingleMetricAsString('integration_calls_total');
    expect(metrics).toContain('integration_calls_total{provider="watched",operation="lookup",outcome="success"} 1');
    expect(metrics).toContain('integration_calls_total{provider="watched",operation="lookup",outcome="error"} 1');
  });

  it('skips request-scoped providers with a warning', () => {
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/PerRequestAdapter: .*singleton providers only/));
  });
});
