import request from 'supertest';
import { DataSource } from 'typeorm';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp, testEnv } from '../support/app';
import { spawnApp } from '../support/app-process';
import { type FaultServer, startFaultServer } from '../support/fault-server';
import { httpClientFixture } from '../support/fixtures/http-client.fixture';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver, tracingEnv } from '../support/otlp-receiver';
import { EmailsClient, plainEmail } from '../support/sendgrid/emails-client';

const SERVER = 2;
const CLIENT = 3;
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('OpenTelemetry traces (OTLP/HTTP JSON to a local receiver)', () => {
  let receiver: OtlpReceiver;
  let upstream: FaultServer;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    upstream = await startFaultServer();
    t = await startTestApp({
      env: {
        ...tracingEnv(receiver),
        API_KEYS: TEST_API_KEYS,
        RESILIENCE_FAULTY_MAX_ATTEMPTS: '3',
        RESILIENCE_FAULTY_BACKOFF_BASE_MS: '10',
        RESILIENCE_FAULTY_BACKOFF_CAP_MS: '20',
      },
      extraModules: [httpClientFixture(upstream.url)],
    });
  });
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
    await receiver?.close();
  });

  it('continues the caller’s trace: a server span with the route, a provider-call span, one child span per attempt', async () => {
    upstream.script('/faulty/flaky', [{ status: 503 }, { status: 200, body: { hello: 'world' } }]);
    await request(t.url)
      .get('/test-fixtures/http/faulty/flaky')
      .set('X-Api-Key', TEST_KEY)
      .set('traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`)
      .expect(200);

    const spans = await receiver.waitFor((all) =>
      all.some((s) => s.kind === SERVER && s.attributes['http.route'] === '/test-fixtures/http/:client/:scenario'),
    );
    const server = spans.find((s) => s.kind === SERVER && s.traceId === CALLER_TRACE) as ReceivedSpan;
    expect(server).toMatchObject({
      name: 'GET /test-fixtures/http/:client/:scenario',
      parentSpanId: CALLER_SPAN,
      serviceName: 'portico-under-test',
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 },
    });

    const call = spans.find((s) => s.name === 'faulty GET' && s.parentSpanId === server.spanId) as ReceivedSpan;
    expect(call).toBeDefined();
    expect(call.attributes).toEqual({
      'portico.provider': 'faulty',
      'portico.operation': 'GET',
      'portico.attempts': 2,
      'portico.outcome': 'success',
      'portico.breaker.state': 'closed',
    });
    expect(call.events).toEqual([
      { name: 'retry', attributes: { 'portico.attempt': 2, 'portico.retry.delay_ms': expect.any(Number) as number } },
    ]);

    const attempts = spans
      .filter((s) => s.parentSpanId === call.spanId)
      .sort((a, b) => Number(a.attributes['portico.attempt']) - Number(b.attributes['portico.attempt']));
    expect(
      attempts.map((s) => [s.name, s.kind, s.attributes['portico.attempt'], s.attributes['portico.outcome']]),
    ).toEqual([
      ['faulty GET attempt', CLIENT, 1, 'error'],
      ['faulty GET attempt', CLIENT, 2, 'success'],
    ]);
    expect(attempts[0].status?.code).toBe(2); // ERROR

    // Each outbound request carried the trace context of its own attempt span.
    expect(upstream.seen('/faulty/flaky').map((r) => r.headers.traceparent)).toEqual(
      attempts.map((a) => `00-${CALLER_TRACE}-${a.spanId}-01`),
    );
  });

  it('ends a failed call with its outcome and error type, never the upstream’s message', async () => {
    upstream.script('/faulty/down', [{ status: 500, body: { error: 'upstream says secret-thing' } }]);
    await request(t.url).get('/test-fixtures/http/faulty/down').set('X-Api-Key', TEST_KEY).expect(502);
    const spans = await receiver.waitFor((all) =>
      all.some((s) => s.name === 'faulty GET' && s.attributes['portico.outcome'] === 'error'),
    );
    const call = spans.find((s) => s.name === 'faulty GET' && s.attributes['portico.outcome'] === 'error');
    expect(call?.attributes).toMatchObject({ 'portico.attempts': 3, 'error.type': expect.any(String) as string });
    expect(call?.status?.code).toBe(2);
    expect(receiver.rawBodies().join('\n')).not.toContain('secret-thing');
  });

  it('puts no credential, query string or email content into any exported span', async () => {
    const emails = new EmailsClient(t.url, TEST_KEY);
    const id = await emails.send(
      plainEmail({ to: ['ada@example.com'], subject: 'Quarterly numbers', text: 'The body nobody else reads' }),
    );
    await emails.waitForStatus(id, 'sent');
    await request(t.url).get('/emails?to=ada@example.com&limit=5').set('X-Api-Key', TEST_KEY).expect(200);
    await receiver.waitFor((all) =>
      all.some((s) => s.attributes['http.route'] === '/emails' && s.name === 'GET /emails'),
    );

    const exported = receiver.rawBodies().join('\n');
    for (const secret of [
      TEST_KEY,
      'secret-faulty-token',
      'The body nobody else reads',
      'Quarterly numbers',
      'ada@example.com',
    ]) {
      expect(exported).not.toContain(secret);
    }
    const listing = receiver.spans().find((s) => s.name === 'GET /emails');
    expect(listing?.attributes['url.path']).toBe('/emails');
  });
});

describe('sampling: OTEL_TRACES_SAMPLER=parentbased_traceidratio, OTEL_TRACES_SAMPLER_ARG=0', () => {
  it('exports no new trace, still passes an unsampled traceparent on, and follows a caller that sampled', async () => {
    const receiver = await startOtlpReceiver();
    const upstream = await startFaultServer();
    const t = await startTestApp({
      env: {
        ...tracingEnv(receiver),
        API_KEYS: TEST_API_KEYS,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0',
      },
      extraModules: [httpClientFixture(upstream.url)],
    });
    try {
      await request(t.url).get('/test-fixtures/http/faulty/plain').set('X-Api-Key', TEST_KEY).expect(200);
      // Not sampled, yet downstream services still see one trace, marked as not sampled (flags 00).
      expect(upstream.seen('/faulty/plain')[0].headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);

      await request(t.url)
        .get('/test-fixtures/http/faulty/plain')
        .set('X-Api-Key', TEST_KEY)
        .set('traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`)
        .expect(200);
      const spans = await receiver.waitFor((all) => all.some((s) => s.kind === SERVER));
      // The sampled caller's request is exported; the first request, which ended earlier, left nothing.
      expect(spans.filter((s) => s.kind === SERVER).map((s) => s.traceId)).toEqual([CALLER_TRACE]);
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([CALLER_TRACE]));
    } finally {
      await t.close();
      await upstream.close();
      await receiver.close();
    }
  });
});

describe('OpenTelemetry off (the default)', () => {
  it('sends no traceparent upstream, stores no trace context with queued rows and exports nothing', async () => {
    const receiver = await startOtlpReceiver();
    const upstream = await startFaultServer();
    // The receiver exists but nothing points the app at it.
    const t = await startTestApp({ env: { API_KEYS: TEST_API_KEYS }, extraModules: [httpClientFixture(upstream.url)] });
    try {
      await request(t.url).get('/test-fixtures/http/faulty/plain').set('X-Api-Key', TEST_KEY).expect(200);
      expect(upstream.seen('/faulty/plain')[0].headers.traceparent).toBeUndefined();
      const emails = new EmailsClient(t.url, TEST_KEY);
      await emails.waitForStatus(await emails.send(plainEmail({ to: ['ada@example.com'] })), 'sent');
      const rows = await t.app
        .get(DataSource)
        .query<Array<{ trace_context: unknown }>>('SELECT trace_context FROM emails');
      expect(rows).toEqual([{ trace_context: null }]);
    } finally {
      await t.close();
      await upstream.close();
      await receiver.close();
    }
    expect(receiver.rawBodies()).toEqual([]);
  });
});

describe('log lines and traces', () => {
  it('carry trace_id and span_id of the request span', async () => {
    const receiver = await startOtlpReceiver();
    const env = await testEnv({ env: { ...tracingEnv(receiver), LOG_LEVEL: 'info' } });
    const app = await spawnApp(env);
    try {
      await fetch(`${app.url}/health/ready`, { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
      const [server] = (
        await receiver.waitFor((all) => all.some((s) => s.attributes['http.route'] === '/health/ready'))
      ).filter((s) => s.attributes['http.route'] === '/health/ready');
      const requestLine = app
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => (line.req as { url?: string } | undefined)?.url === '/health/ready' && 'responseTime' in line);
      expect(requestLine).toMatchObject({ trace_id: CALLER_TRACE, span_id: server.spanId });
    } finally {
      app.kill('SIGTERM');
      await app.exited;
      await receiver.close();
    }
    // A separate process (its stdout is the log): compiling and booting it is slow on a busy machine.
  }, 120_000);
});
