import request from 'supertest';
import EchoFixtureModule from '../support/fixtures/echo.module';
import { TEST_ADMIN_KEY, TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';

const PROBLEM = /application\/problem\+json/;

describe('HTTP pipeline (health, docs, errors, API keys)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { API_KEYS: TEST_API_KEYS, HTTP_BODY_LIMIT: '2kb' },
      extraModules: [EchoFixtureModule],
    });
  });
  afterAll(async () => t.close());

  it('reports ready with the database up and every provider not configured', async () => {
    const res = await request(t.url).get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    for (const provider of ['stripe', 'sendgrid', 's3', 'google', 'github']) {
      expect(res.body.providers[provider]).toEqual({ status: 'not_configured' });
    }
  });

  it('answers liveness without credentials', async () => {
    await request(t.url).get('/health/live').expect(200, { status: 'ok' });
  });

  it('serves the API docs UI and the OpenAPI document', async () => {
    const ui = await request(t.url).get('/docs/').redirects(1).expect(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    expect(ui.text).toContain('swagger-ui');
    const doc = await request(t.url).get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.paths['/health/ready']).toBeDefined();
    expect(doc.body.components.schemas.ProblemDetailsDto).toBeDefined();
  });

  it('answers malformed JSON with 400 problem+json carrying the request id', async () => {
    const res = await request(t.url)
      .post('/test-fixtures/echo')
      .set('Authorization', `Bearer ${TEST_KEY}`)
      .set('Content-Type', 'application/json')
      .send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      status: 400,
      title: 'Bad Request',
      detail: 'The request body is not valid JSON',
      instance: '/test-fixtures/echo',
    });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js|stack/);
  });

  it('answers malformed JSON with 400 even before authentication (any route)', async () => {
    const res = await request(t.url).post('/nowhere').set('Content-Type', 'application/json').send('{bad');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.requestId).toEqual(expect.any(String));
  });

  it('answers a body over HTTP_BODY_LIMIT with 413 problem+json', async () => {
    const res = await request(t.url)
      .post('/test-fixtures/echo')
      .set('X-Api-Key', TEST_KEY)
      .send({ name: 'x'.repeat(5000), count: 1 });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.detail).toMatch(/larger/);
  });

  it('lists every invalid and unknown field in one 400 problem', async () => {
    const res = await request(t.url)
      .post('/test-fixtures/echo')
      .set('X-Api-Key', TEST_KEY)
      .send({ name: 42, count: 'many', extra: true, address: { city: 7 } });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['name', 'count', 'extra', 'address.city']));
    expect(res.body.errors.find((e: { field: string }) => e.field === 'extra').message).toBe('extra is not allowed');
  });

  it('accepts valid input with transformation applied', async () => {
    const res = await request(t.url)
      .post('/test-fixtures/echo')
      .set('X-Api-Key', TEST_KEY)
      .send({ name: 'ada', count: 3 })
      .expect(201);
    expect(res.body).toEqual({ body: { name: 'ada', count: 3 }, principal: 'tester' });
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const res = await request(t.url).get('/no/such/route').set('X-Api-Key', TEST_KEY);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404 });
  });

  it('requires an API key: missing or wrong → 401 problem', async () => {
    const missing = await request(t.url).post('/test-fixtures/echo').send({ name: 'a', count: 1 });
    expect(missing.status).toBe(401);
    expect(missing.headers['content-type']).toMatch(PROBLEM);
    const wrong = await request(t.url)
      .post('/test-fixtures/echo')
      .set('Authorization', 'Bearer pk_not_a_key')
      .send({ name: 'a', count: 1 });
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toBe('The API key is not valid');
  });

  it('keeps admin routes to admin keys', async () => {
    await request(t.url).get('/test-fixtures/admin').set('X-Api-Key', TEST_KEY).expect(403);
    await request(t.url).get('/test-fixtures/admin').set('X-Api-Key', TEST_ADMIN_KEY).expect(200, { ok: true });
  });

  it('hides internal errors behind a generic 500 problem', async () => {
    const res = await request(t.url).get('/test-fixtures/boom').set('X-Api-Key', TEST_KEY);
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2|secret|\/srv/);
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await request(t.url).get('/health/live').set('X-Request-Id', 'abc-123.trace');
    expect(kept.headers['x-request-id']).toBe('abc-123.trace');
    const replaced = await request(t.url).get('/health/live').set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers', async () => {
    const res = await request(t.url).get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('lets a page on an allowed origin preflight API routes, but not the webhook receivers', async () => {
    const preflight = (path: string) =>
      request(t.url)
        .options(path)
        .set('Origin', 'https://app.portico.test')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');
    const api = await preflight('/payments/intents');
    expect(api.status).toBe(204);
    expect(api.headers['access-control-allow-origin']).toBe('https://app.portico.test');
    // Only Stripe's and SendGrid's servers call these: no CORS grant, and no browser directives on the answer.
    for (const path of ['/webhooks/stripe', '/webhooks/sendgrid']) {
      const webhook = await preflight(path);
      expect(webhook.status).toBe(404);
      expect(webhook.headers['content-type']).toMatch(PROBLEM);
      expect(webhook.headers['access-control-allow-origin']).toBeUndefined();
      expect(webhook.headers['x-frame-options']).toBeUndefined();
    }
    expect((await request(t.url).get('/health/live')).headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});
