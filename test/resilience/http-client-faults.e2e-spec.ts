import request from 'supertest';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { type FaultServer, startFaultServer } from '../support/fault-server';
import { httpClientFixture } from '../support/fixtures/http-client.fixture';

const PROBLEM = /application\/problem\+json/;
const METRICS_TOKEN = 'metrics-token-for-tests';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The value of one sample line of the Prometheus text, or 0 when absent. */
function sample(metrics: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((pair) => labelText.split(',').includes(pair)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('Resilience and metrics through HttpClientModule against a faulty upstream', () => {
  let upstream: FaultServer;
  let t: TestApp;
  const call = (client: string, scenario: string): request.Test =>
    request(t.url).get(`/test-fixtures/http/${client}/${scenario}`).set('X-Api-Key', TEST_KEY);
  const metrics = async (): Promise<string> =>
    (await request(t.url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;

  beforeAll(async () => {
    upstream = await startFaultServer();
    t = await startTestApp({
      env: {
        API_KEYS: TEST_API_KEYS,
        METRICS_TOKEN,
        // faulty: 3 attempts, short backoff, 300 ms per attempt; its breaker stays out of the way.
        RESILIENCE_FAULTY_MAX_ATTEMPTS: '3',
        RESILIENCE_FAULTY_BACKOFF_BASE_MS: '10',
        RESILIENCE_FAULTY_BACKOFF_CAP_MS: '40',
        RESILIENCE_FAULTY_TIMEOUT_MS: '300',
        RESILIENCE_FAULTY_RETRY_AFTER_MAX_MS: '1500',
        RESILIENCE_FAULTY_BREAKER_CONSECUTIVE: '0',
        RESILIENCE_FAULTY_BREAKER_RATIO: '0',
        // fragile: one attempt per call; the breaker opens after 2 failed calls and probes after 1.5 s.
        RESILIENCE_FRAGILE_MAX_ATTEMPTS: '1',
        RESILIENCE_FRAGILE_BREAKER_CONSECUTIVE: '2',
        RESILIENCE_FRAGILE_BREAKER_RATIO: '0',
        RESILIENCE_FRAGILE_BREAKER_COOLDOWN_MS: '1500',
      },
      extraModules: [httpClientFixture(upstream.url)],
    });
  });
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  it('retries 503s and succeeds on the third attempt', async () => {
    upstream.script('/faulty/flaky', [{ status: 503 }, { status: 503 }, { status: 200, body: { hello: 'world' } }]);
    const res = await call('faulty', 'flaky').expect(200);
    expect(res.body).toEqual({ upstream: { hello: 'world' } });
    expect(upstream.seen('/faulty/flaky')).toHaveLength(3);
    expect(upstream.seen('/faulty/flaky')[0].headers.authorization).toBe('Bearer secret-faulty-token');
  });

  it('gives up after the allowed attempts on persistent 500s: 502 problem+json', async () => {
    upstream.script('/faulty/down', [{ status: 500, body: { error: 'boom' } }]);
    const res = await call('faulty', 'down');
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      type: 'https://portico.dev/problems/provider-failed',
      provider: 'faulty',
      upstreamStatus: 500,
    });
    expect(upstream.seen('/faulty/down')).toHaveLength(3);
  });

  it('waits the upstream Retry-After before retrying a 429', async () => {
    upstream.script('/faulty/busy', [
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 200, body: { done: true } },
    ]);
    await call('faulty', 'busy').expect(200);
    const [first, second] = upstream.seen('/faulty/busy');
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
  });

  it('answers 429 with Retry-After when the upstream keeps rate limiting', async () => {
    upstream.script('/faulty/throttled', [{ status: 429, headers: { 'retry-after': '0' } }]);
    const res = await call('faulty', 'throttled');
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.headers['retry-after']).toBe('1');
    expect(upstream.seen('/faulty/throttled')).toHaveLength(3);
  });

  it('times out slow answers, cancels the request, and answers 504 after the allowed attempts', async () => {
    upstream.script('/faulty/slow', [{ status: 200, delayMs: 2_000, body: { late: true } }]);
    const res = await call('faulty', 'slow');
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ type: 'https://portico.dev/problems/provider-timeout', provider: 'faulty' });
    const seen = upstream.seen('/faulty/slow');
    expect(seen).toHaveLength(3);
    await sleep(50);
    // The attempt's AbortSignal reached the socket: the upstream saw each request abandoned.
    expect(seen.every((r) => r.aborted)).toBe(true);
  });

  it('retries connection resets', async () => {
    upstream.script('/faulty/reset', [{ reset: true }, { reset: true }, { status: 200, body: { back: true } }]);
    await call('faulty', 'reset').expect(200);
    expect(upstream.seen('/faulty/reset')).toHaveLength(3);

    upstream.script('/faulty/reset-always', [{ reset: true }]);
    const res = await call('faulty', 'reset-always');
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'network_error', provider: 'faulty' });
    expect(upstream.seen('/faulty/reset-always')).toHaveLength(3);
  });

  it('does not retry client errors and passes on a 404', async () => {
    upstream.script('/faulty/invalid', [{ status: 400, body: { message: 'bad field, token secret-faulty-token' } }]);
    const invalid = await call('faulty', 'invalid');
    expect(invalid.status).toBe(502);
    expect(invalid.body).toMatchObject({ type: 'https://portico.dev/problems/provider-rejected', upstreamStatus: 400 });
    // The upstream body stays in the log (test/security/leaks.e2e-spec.ts), never in the answer.
    expect(JSON.stringify(invalid.body)).not.toContain('bad field');
    expect(JSON.stringify(invalid.body)).not.toContain('secret-faulty-token');
    expect(upstream.seen('/faulty/invalid')).toHaveLength(1);

    upstream.script('/faulty/missing', [{ status: 404, body: { message: 'Not Found' } }]);
    await call('faulty', 'missing').expect(404);
    expect(upstream.seen('/faulty/missing')).toHaveLength(1);
  });

  it('retries a POST only when it carries an idempotency key', async () => {
    upstream.script('/faulty/create', [{ status: 503 }]);
    await request(t.url)
      .post('/test-fixtures/http/faulty/create')
      .set('X-Api-Key', TEST_KEY)
      .send({ a: 1 })
      .expect(503);
    expect(upstream.seen('/faulty/create')).toHaveLength(1);

    upstream.script('/faulty/create-keyed', [{ status: 503 }, { status: 201, body: { id: 'x' } }]);
    await request(t.url)
      .post('/test-fixtures/http/faulty/create-keyed')
      .set('X-Api-Key', TEST_KEY)
      .set('Idempotency-Key', 'order-42')
      .send({ a: 1 })
      .expect(201);
    const seen = upstream.seen('/faulty/create-keyed');
    expect(seen).toHaveLength(2);
    expect(seen.map((r) => r.headers['idempotency-key'])).toEqual(['order-42', 'order-42']);
    expect(JSON.parse(seen[1].body)).toEqual({ a: 1 });
  });

  it('counts calls, outcomes and retries in /metrics', async () => {
    const text = await metrics();
    const calls = (operation: string, outcome: string): number =>
      sample(text, 'integration_calls_total', { provider: 'faulty', operation, outcome });
    expect(calls('GET', 'success')).toBe(3); // flaky, busy, reset
    expect(calls('GET', 'error')).toBe(2); // down, reset-always
    expect(calls('GET', 'rate_limited')).toBe(1);
    expect(calls('GET', 'timeout')).toBe(1);
    expect(calls('GET', 'rejected')).toBe(2); // invalid (400), missing (404)
    expect(calls('POST', 'error')).toBe(1);
    expect(calls('POST', 'success')).toBe(1);
    // flaky 2 + down 2 + busy 1 + throttled 2 + slow 2 + reset 2 + reset-always 2
    expect(sample(text, 'integration_retries_total', { provider: 'faulty', operation: 'GET' })).toBe(13);
    expect(sample(text, 'integration_retries_total', { provider: 'faulty', operation: 'POST' })).toBe(1);
    expect(sample(text, 'integration_call_duration_seconds_count', { provider: 'faulty', operation: 'GET' })).toBe(9);
    // HTTP metrics use the route template, never the raw URL.
    expect(
      sample(text, 'http_requests_total', {
        method: 'GET',
        route: '/test-fixtures/http/:client/:scenario',
        status: '200',
      }),
    ).toBe(3);
    expect(text).not.toContain('route="/test-fixtures/http/faulty');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('protects /metrics with METRICS_TOKEN', async () => {
    const missing = await request(t.url).get('/metrics');
    expect(missing.status).toBe(401);
    expect(missing.headers['content-type']).toMatch(PROBLEM);
    await request(t.url).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
    const ok = await request(t.url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('opens the circuit after repeated 503s, reports it, fails fast, and closes after one successful probe', async () => {
    upstream.script('/fragile/outage', [{ status: 503 }, { status: 503 }, { status: 200, body: { recovered: true } }]);
    await call('fragile', 'outage').expect(503);
    const before = await request(t.url).get('/health/ready').expect(200);
    expect(before.body.providers.fragile).toEqual({ status: 'up', circuit: 'closed' });
    await call('fragile', 'outage').expect(503);
    expect(upstream.seen('/fragile/outage')).toHaveLength(2);

    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.providers.fragile).toMatchObject({ status: 'degraded', circuit: 'open' });
    expect(ready.body.providers.faulty).toEqual({ status: 'up', circuit: 'closed' });
    expect(sample(await metrics(), 'integration_circuit_state', { provider: 'fragile' })).toBe(2);

    const fast = await call('fragile', 'outage');
    expect(fast.status).toBe(503);
    expect(fast.headers['content-type']).toMatch(PROBLEM);
    expect(fast.body).toMatchObject({
      type: 'https://portico.dev/problems/provider-unavailable',
      code: 'circuit_open',
      provider: 'fragile',
    });
    expect(Number(fast.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(fast.headers['retry-after'])).toBeLessThanOrEqual(2);
    expect(upstream.seen('/fragile/outage')).toHaveLength(2);

    await sleep(1_600);
    await call('fragile', 'outage').expect(200, { upstream: { recovered: true } });
    expect(upstream.seen('/fragile/outage')).toHaveLength(3);
    const after = await request(t.url).get('/health/ready').expect(200);
    expect(after.body.status).toBe('ok');
    expect(after.body.providers.fragile).toEqual({ status: 'up', circuit: 'closed' });
    const text = await metrics();
    expect(sample(text, 'integration_circuit_state', { provider: 'fragile' })).toBe(0);
    expect(
      sample(text, 'integration_calls_total', { provider: 'fragile', operation: 'GET', outcome: 'circuit_open' }),
    ).toBe(1);
  });
});
