import { join } from 'node:path';
import { spawnApp } from '../support/app-process';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { testEnv } from '../support/app';
import { type FaultServer, startFaultServer } from '../support/fault-server';

const FIXTURE = join(__dirname, '..', 'support', 'fixtures', 'http-client.process-fixture.ts');
const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

type LogLine = Record<string, unknown> & { level: number; msg?: string; req?: { id?: string } };

describe('Provider call logs (real process, JSON lines)', () => {
  let upstream: FaultServer;
  beforeAll(async () => {
    upstream = await startFaultServer();
  });
  afterAll(async () => upstream?.close());

  it('logs the call at debug, each retry and the breaker opening at warn, the final failure at error, all with the request id', async () => {
    upstream.script('/faulty/logged', [{ status: 503 }, { status: 200, body: { ok: true } }]);
    upstream.script('/fragile/logged', [{ status: 500, body: { error: 'down' } }]);
    const env = await testEnv({
      env: {
        API_KEYS: TEST_API_KEYS,
        LOG_LEVEL: 'debug',
        FAULT_SERVER_URL: upstream.url,
        RESILIENCE_FAULTY_BACKOFF_BASE_MS: '5',
        RESILIENCE_FAULTY_BACKOFF_CAP_MS: '10',
        RESILIENCE_FRAGILE_MAX_ATTEMPTS: '1',
        RESILIENCE_FRAGILE_BREAKER_CONSECUTIVE: '1',
      },
    });
    const app = await spawnApp(env, [FIXTURE]);
    try {
      const ok = await fetch(`${app.url}/test-fixtures/http/faulty/logged`, {
        headers: { 'X-Api-Key': TEST_KEY, 'X-Request-Id': 'trace-ok' },
      });
      expect(ok.status).toBe(200);
      const failed = await fetch(`${app.url}/test-fixtures/http/fragile/logged`, {
        headers: { 'X-Api-Key': TEST_KEY, 'X-Request-Id': 'trace-fail' },
      });
      expect(failed.status).toBe(502);
      await new Promise((resolve) => setTimeout(resolve, 200));

      const lines = app
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine);
      const of = (requestId: string): LogLine[] => lines.filter((l) => l.req?.id === requestId);

      const retry = of('trace-ok').find((l) => l.msg?.startsWith('Retrying faulty GET'));
      expect(retry).toMatchObject({ level: LEVEL.warn, provider: 'faulty', operation: 'GET', attempt: 2 });
      const success = of('trace-ok').find((l) => l.msg === 'faulty GET succeeded');
      expect(success).toMatchObject({ level: LEVEL.debug, outcome: 'success', attempts: 2 });
      expect(typeof success?.durationMs).toBe('number');

      expect(of('trace-fail').find((l) => l.msg?.startsWith('Circuit for fragile opened'))).toMatchObject({
        level: LEVEL.warn,
      });
      expect(of('trace-fail').find((l) => l.msg === 'fragile GET failed')).toMatchObject({
        level: LEVEL.error,
        outcome: 'error',
        attempts: 1,
      });
      expect(app.output()).not.toContain('secret-faulty-token');
    } finally {
      app.kill('SIGTERM');
      await app.exited;
    }
  });
});
