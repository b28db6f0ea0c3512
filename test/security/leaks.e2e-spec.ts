import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { spawnApp } from '../support/app-process';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp, testEnv } from '../support/app';
import { type FaultServer, startFaultServer } from '../support/fault-server';
import { LEAKY_RECIPIENT } from '../support/fixtures/db-error.fixture';
import { mintUserSession } from '../support/sessions';

/** The JSON body of an answer, typed for the fields these tests read. */
interface Answer {
  readonly type?: string;
  readonly detail?: string;
  readonly id?: string;
  readonly url?: string;
  readonly items?: unknown[];
  readonly upload?: { readonly url: string };
}
const bodyOf = (res: { body: unknown }): Answer => res.body as Answer;

const HTTP_FIXTURE = join(__dirname, '..', 'support', 'fixtures', 'http-client.process-fixture.ts');
const DB_FIXTURE = join(__dirname, '..', 'support', 'fixtures', 'db-error.fixture.ts');
const KEY_32_BYTES = 'ab'.repeat(32);
const JWT_SECRET = 'leaks-test-jwt-secret-0123456789-abcdefgh';
const ECHOED_SECRET = 'db.internal.corp:5432 user=svc password=Zm9vOmJhcg==';

/** Production settings that are not under test here. */
const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  API_KEYS: TEST_API_KEYS,
  AUTH_JWT_SECRET: JWT_SECRET,
  AUTH_TOKEN_ENCRYPTION_KEY: KEY_32_BYTES,
  AUTH_SIGNUP: 'closed',
  CORS_ORIGINS: 'https://app.portico.test',
  PUBLIC_URL: 'https://api.portico.test',
  STORAGE_URL_SECRET: 'leaks-test-storage-url-secret-0123456789-abc',
};

describe('What leaves the process', () => {
  describe('upstream bodies and logged errors', () => {
    let upstream: FaultServer;
    beforeAll(async () => {
      upstream = await startFaultServer();
    });
    afterAll(async () => upstream?.close());

    it('a problem never carries the upstream body; the log keeps it with the provider request id, and a DB error is logged without its parameters', async () => {
      upstream.script('/faulty/echo', [
        {
          status: 400,
          body: { error: `cannot connect to ${ECHOED_SECRET}` },
          headers: { 'x-request-id': 'req_up_42' },
        },
      ]);
      const env = await testEnv({
        env: { API_KEYS: TEST_API_KEYS, LOG_LEVEL: 'info', FAULT_SERVER_URL: upstream.url },
      });
      const app = await spawnApp(env, [HTTP_FIXTURE, DB_FIXTURE]);
      try {
        const res = await fetch(`${app.url}/test-fixtures/http/faulty/echo`, {
          headers: { 'X-Api-Key': TEST_KEY, 'X-Request-Id': 'trace-echo' },
        });
        expect(res.status).toBe(502);
        const text = await res.text();
        expect(text).not.toContain('db.internal.corp');
        expect(text).not.toContain('Zm9vOmJhcg');
        expect(JSON.parse(text)).toMatchObject({ provider: 'faulty', upstreamStatus: 400, requestId: 'trace-echo' });

        const failed = await fetch(`${app.url}/test-fixtures/db/fail`, {
          method: 'POST',
          headers: { 'X-Api-Key': TEST_KEY, 'X-Request-Id': 'trace-db' },
        });
        expect(failed.status).toBe(500);
        expect(await failed.text()).not.toContain(LEAKY_RECIPIENT);
        await new Promise((resolve) => setTimeout(resolve, 200));

        const lines = app
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'));
        const echoLog = lines.find((line) => line.includes('"trace-echo"') && line.includes('upstreamBody'));
        expect(echoLog).toBeDefined();
        expect(echoLog).toContain('req_up_42');
        const dbLog = lines.filter((line) => line.includes('"trace-db"') && line.includes('QueryFailedError'));
        expect(dbLog.length).toBeGreaterThan(0);
        expect(app.output()).not.toContain(LEAKY_RECIPIENT);
      } finally {
        app.kill('SIGKILL');
        await app.exited;
      }
    }, 120_000);
  });

  describe('signed local URLs', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { API_KEYS: TEST_API_KEYS, PUBLIC_URL: 'https://files.portico.test' } });
    });
    afterAll(async () => t?.close());

    it('are built on PUBLIC_URL whatever Host header the request carries', async () => {
      const uploaded = await request(t.url)
        .post('/files')
        .set('X-Api-Key', TEST_KEY)
        .set('Host', 'attacker.example')
        .attach('file', Buffer.from('hello'), { filename: 'hello.txt', contentType: 'text/plain' })
        .expect(201);
      expect(bodyOf(uploaded).url).toMatch(/^https:\/\/files\.portico\.test\/storage\/local\/objects\?/);
      const download = await request(t.url)
        .get(`/files/${bodyOf(uploaded).id}/download-url`)
        .set('X-Api-Key', TEST_KEY)
        .set('Host', 'attacker.example')
        .set('X-Forwarded-Host', 'attacker.example')
        .expect(200);
      expect(bodyOf(download).url).toMatch(/^https:\/\/files\.portico\.test\//);
      const direct = await request(t.url)
        .post('/files/upload-url')
        .set('X-Api-Key', TEST_KEY)
        .set('Host', 'attacker.example')
        .send({ filename: 'a.txt', contentType: 'text/plain', size: 5 })
        .expect(201);
      expect(bodyOf(direct).upload?.url).toMatch(/^https:\/\/files\.portico\.test\//);
    });
  });

  describe('access tokens', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { API_KEYS: TEST_API_KEYS, AUTH_JWT_SECRET: JWT_SECRET } });
    });
    afterAll(async () => t?.close());

    it('a correctly signed access JWT without exp is refused', async () => {
      const session = await mintUserSession(t.app, 'no-exp@example.test');
      await request(t.url).get('/emails').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
      const jwt = new JwtService();
      const claims = jwt.decode<Record<string, unknown>>(session.accessToken);
      const { exp: _exp, iat: _iat, ...rest } = claims;
      const forever = jwt.sign(rest, { secret: JWT_SECRET, algorithm: 'HS256' });
      expect(jwt.decode<Record<string, unknown>>(forever).exp).toBeUndefined();
      const res = await request(t.url).get('/emails').set('Authorization', `Bearer ${forever}`);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('production lock of docs and metrics', () => {
    const apps: TestApp[] = [];
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.close();
    });
    const start = async (env: Record<string, string> = {}): Promise<TestApp> => {
      const app = await startTestApp({ env: { ...PRODUCTION_ENV, ...env } });
      apps.push(app);
      return app;
    };

    it('production refuses to start without PUBLIC_URL', async () => {
      await expect(startTestApp({ env: { ...PRODUCTION_ENV, PUBLIC_URL: '' } })).rejects.toThrow(
        /PUBLIC_URL: must be set in production/,
      );
    });

    it('/docs and /docs-json are off unless API_DOCS=true; /metrics answers 401 without METRICS_TOKEN', async () => {
      const locked = await start();
      await request(locked.url).get('/docs').expect(404);
      await request(locked.url).get('/docs-json').expect(404);
      const metrics = await request(locked.url).get('/metrics');
      expect(metrics.status).toBe(401);
      expect(metrics.text).not.toContain('process_cpu');
      await request(locked.url).get('/health/live').expect(200);
    });

    it('API_DOCS=true opens the docs; METRICS_TOKEN admits its bearer only; METRICS_PUBLIC=true opens metrics', async () => {
      const withToken = await start({ API_DOCS: 'true', METRICS_TOKEN: 'scrape-token-0123456789' });
      await request(withToken.url).get('/docs-json').expect(200);
      await request(withToken.url).get('/metrics').expect(401);
      await request(withToken.url).get('/metrics').set('Authorization', 'Bearer scrape-token-0123456789').expect(200);
      const open = await start({ METRICS_PUBLIC: 'true' });
      await request(open.url).get('/metrics').expect(200);
      await request(open.url).get('/docs').expect(404);
    });
  });
});
