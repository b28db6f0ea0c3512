import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { TEST_API_KEYS, TEST_KEY } from '../../test/support/api-keys';
import { type TestApp, startTestApp } from '../../test/support/app';
import { ForecastModule } from './forecast.module';

const API_KEY = 'fc_test_key_0123456789';

/** A local stand-in for Forecast's API: checks the key, answers after `delayMs`, counts requests. */
class FakeForecast {
  delayMs = 0;
  readonly requests: Array<{ url: string; apiKey: string | undefined }> = [];
  private readonly server: Server = createServer((req, res) => {
    this.requests.push({ url: req.url ?? '', apiKey: req.headers['x-api-key'] as string | undefined });
    const answer = (): void => {
      if (req.headers['x-api-key'] !== API_KEY) return void res.writeHead(401).end();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ temp_c: 21.5, summary: 'Sunny' }));
    };
    const timer = setTimeout(answer, this.delayMs);
    res.on('close', () => clearTimeout(timer));
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const forecastEnv = (fake: FakeForecast, extra: Record<string, string> = {}): Record<string, string> => ({
  API_KEYS: TEST_API_KEYS,
  FORECAST_API_KEY: API_KEY,
  FORECAST_API_URL: fake.url,
  // Short pauses between attempts keep the N-attempt case near N × the timeout.
  RESILIENCE_FORECAST_BACKOFF_BASE_MS: '20',
  RESILIENCE_FORECAST_BACKOFF_CAP_MS: '50',
  ...extra,
});

async function timedGet(t: TestApp, path: string): Promise<{ res: request.Response; ms: number }> {
  const started = performance.now();
  const res = await request(t.url).get(path).set('X-Api-Key', TEST_KEY);
  return { res, ms: Math.round(performance.now() - started) };
}

describe('Forecast (the docs/EXTENDING.md tutorial provider)', () => {
  let fake: FakeForecast;
  beforeAll(async () => {
    fake = await new FakeForecast().start();
  });
  afterAll(async () => fake?.close());

  describe('configured (default 2 s timeout)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: forecastEnv(fake), extraModules: [ForecastModule] });
    });
    afterAll(async () => t?.close());
    beforeEach(() => {
      fake.delayMs = 0;
      fake.requests.length = 0;
    });

    it('answers the forecast, sending the API key to the provider', async () => {
      const res = await request(t.url).get('/forecast/Lisbon').set('X-Api-Key', TEST_KEY).expect(200);
      expect(res.body).toEqual({ city: 'Lisbon', temperatureC: 21.5, summary: 'Sunny' });
      expect(fake.requests).toEqual([{ url: '/v1/forecast/Lisbon', apiKey: API_KEY }]);
    });

    it('refuses a city that is not a place name with 400 problem+json, calling nobody', async () => {
      const res = await request(t.url).get('/forecast/%3Cscript%3E').set('X-Api-Key', TEST_KEY).expect(400);
      expect(res.type).toMatch(/application\/problem\+json/);
      expect(fake.requests).toHaveLength(0);
    });

    it('shows up in /metrics and /health/ready', async () => {
      await request(t.url).get('/forecast/Porto').set('X-Api-Key', TEST_KEY).expect(200);
      const metrics = (await request(t.url).get('/metrics').expect(200)).text;
      expect(metrics).toMatch(
        /integration_calls_total\{provider="forecast",operation="forecast.get",outcome="success"\} [1-9]/,
      );
      const ready = await request(t.url).get('/health/ready').expect(200);
      expect(ready.body.providers.forecast).toMatchObject({ status: 'up' });
    });
  });

  it('with FORECAST_TIMEOUT_MS=300 and one attempt: 504 well before a 3 s upstream answers', async () => {
    const t = await startTestApp({
      env: forecastEnv(fake, { FORECAST_TIMEOUT_MS: '300', RESILIENCE_FORECAST_MAX_ATTEMPTS: '1' }),
      extraModules: [ForecastModule],
    });
    try {
      fake.delayMs = 3_000;
      fake.requests.length = 0;
      const { res, ms } = await timedGet(t, '/forecast/Oslo');
      process.stdout.write(`forecast: 1 attempt, 300 ms timeout, 3 s upstream → ${res.status} in ${ms} ms\n`);
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ provider: 'forecast' });
      expect(fake.requests).toHaveLength(1);
      expect(ms).toBeLessThan(2_500);
    } finally {
      await t.close();
    }
  });

  it('with 3 attempts: each one ends at the timeout, and all three take less than one upstream answer', async () => {
    const t = await startTestApp({
      env: forecastEnv(fake, { FORECAST_TIMEOUT_MS: '300', RESILIENCE_FORECAST_MAX_ATTEMPTS: '3' }),
      extraModules: [ForecastModule],
    });
    try {
      fake.delayMs = 3_000;
      fake.requests.length = 0;
      const { res, ms } = await timedGet(t, '/forecast/Bergen');
      process.stdout.write(`forecast: 3 attempts, 300 ms timeout, 3 s upstream → ${res.status} in ${ms} ms\n`);
      expect(res.status).toBe(504);
      expect(fake.requests).toHaveLength(3);
      expect(ms).toBeLessThan(3_000);
    } finally {
      await t.close();
    }
  });

  it('without FORECAST_API_KEY: 503 naming the variable, and not_configured in readiness', async () => {
    const t = await startTestApp({ env: { API_KEYS: TEST_API_KEYS }, extraModules: [ForecastModule] });
    try {
      const res = await request(t.url).get('/forecast/Lisbon').set('X-Api-Key', TEST_KEY).expect(503);
      expect(res.body.detail).toContain('FORECAST_API_KEY');
      const ready = await request(t.url).get('/health/ready').expect(200);
      expect(ready.body.providers.forecast).toEqual({ status: 'not_configured' });
    } finally {
      await t.close();
    }
  });

  it('refuses to start with FORECAST_API_URL alone, naming FORECAST_API_KEY', async () => {
    await expect(startTestApp({ env: { FORECAST_API_URL: fake.url }, extraModules: [ForecastModule] })).rejects.toThrow(
      /FORECAST_API_KEY: required for weather forecasts \(Forecast\)/,
    );
  });
});
