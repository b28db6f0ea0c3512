import request from 'supertest';
import { DataSource } from 'typeorm';
import { RouteAccessInventory } from '../../src/core/security/route-access.inventory';
import { TEST_KEY } from '../support/api-keys';
import { type AuthTestEnv, FRONT_END, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { LoginBrowser } from '../support/oauth/login-flow';

const EVIL = 'https://evil.example';
const ID = '01938c1e-7c4b-7d4a-9a51-3f6c2b1e0a11';
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `/payments/:id/refunds` → `/payments/<uuid>/refunds`. */
const concrete = (path: string): string => path.replace(/:[A-Za-z]+/g, (p) => (p === ':name' ? 'nobody' : ID));

/**
 * Cross-site request forgery: a page on another site makes the victim's
 * browser send its cookies. Every state-changing route refuses that when
 * the session cookie is the credential; API keys and Bearer tokens (which
 * a browser never adds on its own) are not affected.
 */
describe('CSRF: cookie-authenticated writes only from our own origins', () => {
  let t: AuthTestEnv;
  let ada: LoginBrowser;
  let writes: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    // Ada is an admin, so no route refuses her for want of a scope: only the origin decides.
    t = await startAuthTestEnv({ AUTH_ADMIN_EMAILS: 'ada@example.test' });
    ada = new LoginBrowser(t.app.url);
    await ada.login('google', 'g-ada');
    writes = t.app.app
      .get(RouteAccessInventory)
      .routes()
      .filter((r) => WRITES.has(r.method) && r.access?.kind !== 'public')
      .map((r) => ({ method: r.method, path: concrete(r.path) }));
  }, 60_000);
  afterAll(async () => t?.close());

  const send = (method: string, path: string, headers: Record<string, string>): request.Test => {
    const agent = request(t.app.url);
    const req =
      method === 'PUT'
        ? agent.put(path)
        : method === 'PATCH'
          ? agent.patch(path)
          : method === 'DELETE'
            ? agent.delete(path)
            : agent.post(path);
    return req.set({ Cookie: ada.jar.header(path), ...headers }).send({});
  };

  it('covers every state-changing route of the app', () => {
    const paths = writes.map((w) => `${w.method} ${w.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'POST /emails',
        `POST /payments/${ID}/refunds`,
        `DELETE /files/${ID}`,
        `POST /admin/users/${ID}/disable`,
        'POST /auth/logout',
      ]),
    );
    expect(writes.length).toBeGreaterThanOrEqual(15);
  });

  it('refuses a cross-origin cookie request on every state-changing route with 403 problem', async () => {
    for (const { method, path } of writes) {
      const attempts: Array<Record<string, string>> = [
        { Origin: EVIL },
        { Origin: 'null' },
        { 'Sec-Fetch-Site': 'cross-site' },
        {},
      ];
      for (const headers of attempts) {
        const res = await send(method, path, headers);
        expect([method, path, headers, res.status, res.body.type]).toEqual([
          method,
          path,
          headers,
          403,
          expect.stringMatching(/cross-origin-request$/),
        ]);
      }
    }
    // Nothing was done on the victim's behalf.
    const rows: unknown[] = await t.app.app.get(DataSource).query('SELECT id FROM emails');
    expect(rows).toEqual([]);
  });

  it('accepts the same routes from PUBLIC_URL, an allowlisted origin, or Sec-Fetch-Site same-origin (no CSRF refusal)', async () => {
    for (const { method, path } of writes.filter((w) => w.path !== '/auth/logout')) {
      const ours: Array<Record<string, string>> = [
        { Origin: t.app.url },
        { Origin: FRONT_END },
        { 'Sec-Fetch-Site': 'same-origin' },
      ];
      for (const headers of ours) {
        const res = await send(method, path, headers);
        expect([method, path, headers, res.body.type ?? 'ok']).toEqual([
          method,
          path,
          headers,
          expect.not.stringMatching(/cross-origin-request$/),
        ]);
        expect(res.status).not.toBe(500);
      }
    }
    const queued = await send('POST', '/emails', { Origin: t.app.url }).send({
      to: ['friend@example.test'],
      subject: 'Same origin',
      text: 'ok',
    });
    expect(queued.status).toBe(202);
  });

  it('leaves API keys and Bearer tokens alone (a browser never adds them by itself)', async () => {
    await request(t.app.url)
      .post('/emails')
      .set({ 'X-Api-Key': TEST_KEY, Origin: EVIL })
      .send({ to: ['a@example.test'], subject: 'Key', text: 'ok' })
      .expect(202);
    await request(t.app.url)
      .post('/emails')
      .set({ Authorization: `Bearer ${ada.jar.get('portico_session')}`, Origin: EVIL })
      .send({ to: ['a@example.test'], subject: 'Bearer', text: 'ok' })
      .expect(202);
  });

  it('refuses form-encoded bodies (what a cross-site form can send without a preflight) with 415', async () => {
    const res = await request(t.app.url)
      .post('/emails')
      .set({ Cookie: ada.jar.header('/emails'), Origin: t.app.url })
      .type('form')
      .send({ 'to[0]': 'victim@example.test', subject: 'Form', text: 'x' });
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  describe('login CSRF through /auth/refresh', () => {
    it('a cross-site form posting the attacker’s refresh token cannot sign the victim in', async () => {
      const attacker = new LoginBrowser(t.app.url);
      await attacker.login('google', 'g-erin');
      const victim = new LoginBrowser(t.app.url);
      const form = await victim.post('/auth/refresh', undefined, {
        Origin: EVIL,
        'Content-Type': 'application/x-www-form-urlencoded',
      });
      expect(form.status).toBe(415);
      // Even as JSON (a CORS-allowed page), a body token never sets cookies: the victim stays signed out.
      const json = await victim.post(
        '/auth/refresh',
        { refreshToken: attacker.jar.get('portico_refresh') },
        { Origin: EVIL },
      );
      expect(json.status).toBe(200);
      expect(json.headers['set-cookie']).toBeUndefined();
      expect(victim.jar.get('portico_session')).toBeUndefined();
    });

    it('the refresh cookie is honoured only from our own origins', async () => {
      const browser = new LoginBrowser(t.app.url);
      await browser.login('google', 'g-erin');
      const before = browser.jar.get('portico_refresh');
      const refused = await browser.post('/auth/refresh', undefined, { Origin: EVIL });
      expect(refused.status).toBe(403);
      expect(refused.body.type).toMatch(/cross-origin-request$/);
      expect(browser.jar.get('portico_refresh')).toBe(before); // not rotated, not cleared
      const ok = await browser.post('/auth/refresh');
      expect(ok.status).toBe(200);
      expect(browser.jar.get('portico_refresh')).not.toBe(before);
    });
  });
});
