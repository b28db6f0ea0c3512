import { Registry } from 'prom-client';
import { IntegrationMetrics } from '../core/monitoring/integration-metrics';
import { ProviderFiguresWindow, quantileMs, readMetrics } from './provider-figures';

describe(ProviderFiguresWindow.name, () => {
  let registry: Registry;
  let metrics: IntegrationMetrics;
  let sut: ProviderFiguresWindow;
  const start = 1_000_000;

  beforeEach(() => {
    registry = new Registry();
    metrics = new IntegrationMetrics(registry);
    sut = new ProviderFiguresWindow(60_000, start);
  });

  const figuresAt = async (now: number) => sut.add(now, (await readMetrics(registry)).totals);

  it('gives calls per minute, error rate and p95 from the registry, summed over a provider’s operations', async () => {
    const put = metrics.forOperation('s3', 'putObject');
    const get = metrics.forOperation('s3', 'getObject');
    // 18 fast successes (≤ 10 ms), 2 slow failures (1–2.5 s).
    for (let i = 0; i < 9; i++) put.observe('success', 0.008);
    for (let i = 0; i < 9; i++) get.observe('success', 0.008);
    put.observe('error', 2);
    get.observe('timeout', 2);

    const { seconds, figures } = await figuresAt(start + 30_000);

    expect(seconds).toBe(30);
    expect(figures.get('s3')).toEqual({
      callsPerMinute: 40, // 20 calls in 30 s
      errorRate: 0.1,
      // The 19th of 20 calls falls in the (1 s, 2.5 s] bucket holding 2 calls: halfway through it.
      p95Ms: 1750,
      callsTotal: 20,
      errorsTotal: 2,
    });
  });

  it('reports the last minute only: earlier calls drop out of the rates, not the totals', async () => {
    const op = metrics.forOperation('stripe', 'paymentIntents.create');
    for (let i = 0; i < 10; i++) op.observe('error', 0.02);
    await figuresAt(start + 5_000);
    await figuresAt(start + 61_000);
    for (let i = 0; i < 6; i++) op.observe('success', 0.04);

    const { seconds, figures } = await figuresAt(start + 121_000);

    expect(seconds).toBe(60);
    expect(figures.get('stripe')).toEqual({
      callsPerMinute: 6,
      errorRate: 0,
      p95Ms: 48.8, // rank 5.7 of 6 in (25 ms, 50 ms]
      callsTotal: 16,
      errorsTotal: 10,
    });
  });

  it('says nothing about rates before a second has passed, nor about errors or latency without calls', async () => {
    metrics.forOperation('sendgrid', 'send').observe('success', 0.2);
    const early = await figuresAt(start + 500);
    expect(early.figures.get('sendgrid')).toMatchObject({ callsPerMinute: null, errorRate: 0, callsTotal: 1 });
    await figuresAt(start + 2_000);
    const quiet = await figuresAt(start + 70_000);
    expect(quiet.figures.get('sendgrid')).toEqual({
      callsPerMinute: 0,
      errorRate: null,
      p95Ms: null,
      callsTotal: 1,
      errorsTotal: 0,
    });
  });

  it('reads breaker states from the circuit gauge', async () => {
    metrics.setCircuitState('s3', 'open');
    metrics.setCircuitState('stripe', 'half_open');
    metrics.setCircuitState('sendgrid', 'closed');
    const { breakers } = await readMetrics(registry);
    expect(Object.fromEntries(breakers)).toEqual({ s3: 'open', stripe: 'half_open', sendgrid: 'closed' });
  });
});

describe(quantileMs.name, () => {
  it('interpolates like histogram_quantile and caps the +Inf bucket at the highest finite bound', () => {
    expect(quantileMs([], 0.95)).toBeNull();
    expect(
      quantileMs(
        [
          [0.1, 50],
          [0.2, 100],
          [Infinity, 100],
        ],
        0.5,
      ),
    ).toBe(100);
    expect(
      quantileMs(
        [
          [0.1, 0],
          [1, 0],
          [Infinity, 4],
        ],
        0.95,
      ),
    ).toBe(1000);
  });
});
