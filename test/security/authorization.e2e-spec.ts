import request from 'supertest';
import { DataSource } from 'typeorm';
import { RouteAccessInventory } from '../../src/core/security/route-access.inventory';
import { TEST_ADMIN_KEY, TEST_API_KEYS, apiKeyEntry } from '../support/api-keys';
import { type AuthTestEnv, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { LoginBrowser } from '../support/oauth/login-flow';

const PROBLEM = /application\/problem\+json/;
const PAYER_KEY = 'pk_test_payer_only_0123456789';
const MAILER_KEY = 'pk_test_mailer_only_0123456789';
const ID = '01938c1e-7c4b-7d4a-9a51-3f6c2b1e0a11';

/**
 * Scopes: every route declares what it needs; users get AUTH_USER_SCOPES
 * (by default no email sending, no refunds), keys their own list; admins
 * are named by AUTH_ADMIN_EMAILS and can disable users.
 */
describe('Authorization: scopes on every route, least-privilege users, admin, disabled users', () => {
  let t: AuthTestEnv;
  const bearer = (b: LoginBrowser): Record<string, string> => ({
    Authorization: `Bearer ${b.jar.get('portico_session')}`,
  });

  beforeAll(async () => {
    t = await startAuthTestEnv({
      API_KEYS: [
        TEST_API_KEYS,
        apiKeyEntry('payer', PAYER_KEY, 'payments:read+payments:write'),
        apiKeyEntry('mailer', MAILER_KEY, 'emails:send'),
      ].join(','),
      AUTH_ADMIN_EMAILS: 'carol@example.test,dave@example.test',
    });
  }, 60_000);
  afterAll(async () => t?.close());

  async function signIn(user: string, provider = 'google'): Promise<LoginBrowser> {
    const browser = new LoginBrowser(t.app.url);
    await browser.login(provider, user);
    return browser;
  }

  it('every route in src declares a scope, @Authenticated or @Public (the route walk)', () => {
    const routes = t.app.app.get(RouteAccessInventory).routes();
    expect(routes.length).toBeGreaterThan(30);
    const undeclared = routes.filter((r) => r.access === null).map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
    // Everything under /admin needs the admin scope.
    for (const route of routes.filter((r) => r.path.startsWith('/admin'))) {
      expect([route.path, route.access]).toEqual([route.path, { kind: 'scopes', scopes: ['admin'] }]);
    }
  });

  it('OpenAPI shows each route’s scope (x-required-scopes and a line in the description)', async () => {
    const doc = (await request(t.app.url).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { 'x-required-scopes'?: string[]; description?: string }>>;
    };
    expect(doc.paths['/payments/{id}/refunds'].post['x-required-scopes']).toEqual(['payments:manage']);
    expect(doc.paths['/payments/{id}/refunds'].post.description).toContain('Requires the scope `payments:manage`.');
    expect(doc.paths['/emails'].post['x-required-scopes']).toEqual(['emails:send']);
    expect(doc.paths['/admin/users'].get['x-required-scopes']).toEqual(['admin']);
  });

  it('a signed-in user sees their scopes at /auth/me (the defaults: no emails:send, no payments:manage)', async () => {
    const erin = await signIn('g-erin');
    const me = await erin.get('/auth/me');
    expect(me.body.scopes).toEqual(['payments:read', 'payments:write', 'emails:read', 'files:read', 'files:write']);
  });

  it('a user without emails:send cannot send email: 403 problem naming the scope, nothing queued', async () => {
    const erin = await signIn('g-erin');
    for (const path of ['/emails', '/emails/template']) {
      const res = await request(t.app.url)
        .post(path)
        .set(bearer(erin))
        .send({ to: ['victim@example.test'], subject: 'Spam', html: '<b>hi</b>', templateId: `d-${'a'.repeat(32)}` });
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({
        type: expect.stringMatching(/insufficient-scope$/),
        detail: 'This route needs the "emails:send" scope',
        missingScopes: ['emails:send'],
      });
    }
    const rows: unknown[] = await t.app.app.get(DataSource).query('SELECT id FROM emails');
    expect(rows).toEqual([]);
  });

  it('a user without payments:manage cannot capture, cancel or refund: 403 naming the scope', async () => {
    const erin = await signIn('g-erin');
    for (const action of ['capture', 'cancel', 'refunds']) {
      const res = await request(t.app.url).post(`/payments/${ID}/${action}`).set(bearer(erin)).send({});
      expect([action, res.status, res.body.detail]).toEqual([
        action,
        403,
        'This route needs the "payments:manage" scope',
      ]);
    }
  });

  it('a key only has its listed scopes: payments:write cannot read emails; emails:send cannot touch payments', async () => {
    const payerReads = await request(t.app.url).get('/payments').set('X-Api-Key', PAYER_KEY);
    expect(payerReads.status).toBe(200);
    const payerEmails = await request(t.app.url).get('/emails').set('X-Api-Key', PAYER_KEY);
    expect([payerEmails.status, payerEmails.body.missingScopes]).toEqual([403, ['emails:read']]);
    const payerRefund = await request(t.app.url).post(`/payments/${ID}/refunds`).set('X-Api-Key', PAYER_KEY).send({});
    expect([payerRefund.status, payerRefund.body.missingScopes]).toEqual([403, ['payments:manage']]);
    const mailerFiles = await request(t.app.url).get('/files').set('X-Api-Key', MAILER_KEY);
    expect([mailerFiles.status, mailerFiles.body.missingScopes]).toEqual([403, ['files:read']]);
    const mailerAdmin = await request(t.app.url).get('/admin/api-keys').set('X-Api-Key', MAILER_KEY);
    expect([mailerAdmin.status, mailerAdmin.body.missingScopes]).toEqual([403, ['admin']]);
  });

  it('AUTH_ADMIN_EMAILS makes a user admin only through a verified address', async () => {
    const carol = await signIn('g-carol');
    expect((await carol.get('/auth/me')).body.scopes).toContain('admin');
    await request(t.app.url).get('/admin/users').set(bearer(carol)).expect(200);
    // Dave is listed too, but Google never verified his address.
    const dave = await signIn('g-dave');
    expect((await dave.get('/auth/me')).body.scopes).not.toContain('admin');
    const refused = await request(t.app.url).get('/admin/users').set(bearer(dave));
    expect([refused.status, refused.body.missingScopes]).toEqual([403, ['admin']]);
  });

  it('a disabled user: sessions end at once (cookie, Bearer, refresh) and signing in again is refused', async () => {
    const frank = await signIn('1003', 'github');
    const me = await frank.get('/auth/me');
    expect(me.status).toBe(200);
    const access = frank.jar.get('portico_session') as string;
    const refresh = frank.jar.get('portico_refresh') as string;

    const page = await request(t.app.url).get('/admin/users?limit=100').set('X-Api-Key', TEST_ADMIN_KEY).expect(200);
    expect(page.body.items.map((u: { id: string }) => u.id)).toContain(me.body.id);
    const disabled = await request(t.app.url)
      .post(`/admin/users/${me.body.id as string}/disable`)
      .set('X-Api-Key', TEST_ADMIN_KEY)
      .expect(200);
    expect(disabled.body.disabledAt).toEqual(expect.any(String));

    expect((await frank.get('/auth/me')).status).toBe(401);
    await request(t.app.url).get('/auth/me').set('Authorization', `Bearer ${access}`).expect(401);
    await request(t.app.url).post('/auth/refresh').send({ refreshToken: refresh }).expect(401);
    const again = new LoginBrowser(t.app.url);
    const target = new URL(await again.login('github', '1003'), t.app.url);
    expect(target.searchParams.get('error')).toBe('account_disabled');
    expect(again.jar.get('portico_session')).toBeUndefined();
  });

  it('disabling needs admin, and an unknown user is 404 problem', async () => {
    const erin = await signIn('g-erin');
    const refused = await request(t.app.url).post(`/admin/users/${ID}/disable`).set(bearer(erin));
    expect([refused.status, refused.body.missingScopes]).toEqual([403, ['admin']]);
    const missing = await request(t.app.url).post(`/admin/users/${ID}/disable`).set('X-Api-Key', TEST_ADMIN_KEY);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(PROBLEM);
  });
});
