import { existsSync } from 'node:fs';
import request from 'supertest';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp, testEngine } from '../support/app';
import { type FaultServer, startFaultServer } from '../support/fault-server';
import { httpClientFixture } from '../support/fixtures/http-client.fixture';

const CALLS_PER_INSTANCE = 50;
const RATE_PER_SEC = 20;
// One bucket per jest project: the sqlite and postgres runs share the Redis server.
const CLIENT = `budget-${testEngine()}`;
const SEGMENT = CLIENT.toUpperCase().replace(/-/g, '_');

/**
 * Two app instances on one real Redis share one provider's budget. With a
 * per-instance budget 2 × 50 calls at 20/s would take about 2.5 s; shared,
 * 100 calls need five one-second windows (the last starts at ≥ 4 s).
 */
describe('Rate limit shared through Redis (two instances)', () => {
  const redisUrl = process.env.TEST_REDIS_URL;
  let upstream: FaultServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    if (redisUrl === undefined) return;
    upstream = await startFaultServer();
    const env = {
      API_KEYS: TEST_API_KEYS,
      REDIS_URL: redisUrl,
      [`RESILIENCE_${SEGMENT}_RATE_PER_SEC`]: String(RATE_PER_SEC),
      [`RESILIENCE_${SEGMENT}_RATE_MAX_WAIT_MS`]: '15000',
      [`RESILIENCE_${SEGMENT}_RATE_MAX_QUEUE`]: '200',
      [`RESILIENCE_${SEGMENT}_BULKHEAD_LIMIT`]: '200',
      [`RESILIENCE_${SEGMENT}_TIMEOUT_MS`]: '5000',
    };
    const fixture = httpClientFixture(upstream.url, [CLIENT]);
    apps.push(await startTestApp({ env, extraModules: [fixture] }));
    apps.push(await startTestApp({ env, extraModules: [fixture], shareWith: apps[0] }));
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await upstream?.close();
  });

  it('spreads 2 × 50 calls over the shared 20/s budget', async () => {
    if (redisUrl === undefined) {
      throw new Error(
        existsSync('/usr/bin/redis-server')
          ? 'TEST_REDIS_URL is not set although /usr/bin/redis-server exists: the global setup did not start Redis'
          : 'redis-server is not installed (apt-get install redis-server); this suite needs a real Redis',
      );
    }
    const started = Date.now();
    const responses = await Promise.all(
      apps.flatMap((app) =>
        Array.from({ length: CALLS_PER_INSTANCE }, (_, i) =>
          request(app.url).get(`/test-fixtures/http/${CLIENT}/call-${i}`).set('X-Api-Key', TEST_KEY),
        ),
      ),
    );
    const elapsed = Date.now() - started;
    expect(responses.map((r) => r.status)).toEqual(Array(2 * CALLS_PER_INSTANCE).fill(200));
    expect(elapsed).toBeGreaterThanOrEqual(4_000);
    expect(upstream.seen(`/${CLIENT}/call-0`)).toHaveLength(2);

    // Both instances waited for tokens: neither had a budget of its own.
    for (const app of apps) {
      const metrics = (await request(app.url).get('/metrics').expect(200)).text;
      const waits = new RegExp(`integration_rate_limit_wait_seconds_count\\{provider="${CLIENT}"\\} (\\d+)`).exec(
        metrics,
      );
      expect(Number(waits?.[1] ?? 0)).toBeGreaterThan(0);
    }
  });
});
