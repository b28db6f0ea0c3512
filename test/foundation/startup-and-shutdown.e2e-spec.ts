import { join } from 'node:path';
import { runAppToExit, spawnApp } from '../support/app-process';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { testEnv } from '../support/app';

const SLOW_FIXTURE = join(__dirname, '..', 'support', 'fixtures', 'echo.module.ts');

describe('start-up and shutdown of the real process', () => {
  it('refuses to start with STRIPE_SECRET_KEY alone, naming STRIPE_WEBHOOK_SECRET and not the key', async () => {
    const env = await testEnv({ env: { STRIPE_SECRET_KEY: 'sk_test_do_not_print_me' } });
    const { code, output } = await runAppToExit(env);
    expect(code).not.toBe(0);
    expect(output).toMatch(/STRIPE_WEBHOOK_SECRET: required for payments \(Stripe\)/);
    expect(output).not.toContain('sk_test_do_not_print_me');
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('lists every problem of a bad environment in one message', async () => {
    const env = await testEnv({ env: { PORT: 'eighty', DATABASE_URL: 'mysql://nope', GOOGLE_CLIENT_ID: 'id-only' } });
    const { code, output } = await runAppToExit(env);
    expect(code).toBe(1);
    expect(output).toMatch(/Invalid environment \(3 problems\)/);
    expect(output).toMatch(/PORT:/);
    expect(output).toMatch(/DATABASE_URL:/);
    expect(output).toMatch(/GOOGLE_CLIENT_SECRET:/);
  });

  it('refuses a resilience setting for a provider the app does not have, listing the known ones', async () => {
    const env = await testEnv({ env: { RESILIENCE_STIRPE_TIMEOUT_MS: '5' } });
    const { code, output } = await runAppToExit(env);
    expect(code).toBe(1);
    expect(output).toMatch(/unknown providers: RESILIENCE_STIRPE_TIMEOUT_MS\./);
    expect(output).toMatch(/Known providers: [^\n]*github-rest, google, s3, sendgrid, stripe/);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('refuses insecure defaults in production and says which', async () => {
    const env = await testEnv({ env: { NODE_ENV: 'production' } });
    const { code, output } = await runAppToExit(env);
    expect(code).toBe(1);
    expect(output).toMatch(/AUTH_JWT_SECRET: must be set in production/);
    expect(output).toMatch(/CORS_ORIGINS: must list the allowed origins/);
  });

  it('on SIGTERM finishes the in-flight request, then exits 0', async () => {
    const env = await testEnv({ env: { API_KEYS: TEST_API_KEYS, LOG_LEVEL: 'info' } });
    const app = await spawnApp(env, [SLOW_FIXTURE]);
    const started = Date.now();
    const pending = fetch(`${app.url}/test-fixtures/slow?ms=1500`, { headers: { 'X-Api-Key': TEST_KEY } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    app.kill('SIGTERM');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ waitedMs: 1500 });
    const exit = await app.exited;
    if (exit.code !== 0) process.stdout.write(`app output before the failed exit:\n${app.output().slice(-3000)}\n`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    // New connections are refused once shutdown began.
    await expect(fetch(`${app.url}/health/live`)).rejects.toThrow();
  });

  it('logs one JSON line per request with method, route, status, duration and request id, redacting credentials', async () => {
    const env = await testEnv({ env: { API_KEYS: TEST_API_KEYS, LOG_LEVEL: 'info' } });
    const app = await spawnApp(env, [SLOW_FIXTURE]);
    try {
      const res = await fetch(`${app.url}/test-fixtures/echo`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${TEST_KEY}`,
          'Content-Type': 'application/json',
          'X-Request-Id': 'trace-42',
          Cookie: 'sid=abc',
        },
        body: JSON.stringify({ name: 'log', count: 2 }),
      });
      expect(res.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = app
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const requestLine = lines.find(
        (l) => (l.req as { id?: string } | undefined)?.id === 'trace-42' && 'responseTime' in l,
      );
      expect(requestLine).toBeDefined();
      expect(requestLine).toMatchObject({
        route: '/test-fixtures/echo',
        status: 201,
        req: { method: 'POST', url: '/test-fixtures/echo' },
      });
      expect(typeof requestLine?.responseTime).toBe('number');
      expect(app.output()).not.toContain(TEST_KEY);
      expect(app.output()).not.toContain('sid=abc');
    } finally {
      app.kill('SIGTERM');
      await app.exited;
    }
  });
});
