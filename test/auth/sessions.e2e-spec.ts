import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import EchoFixtureModule from '../support/fixtures/echo.module';
import { TEST_ADMIN_KEY, TEST_KEY } from '../support/api-keys';
import { type AuthTestEnv, JWT_SECRET, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { LoginBrowser } from '../support/oauth/login-flow';

const SESSION = 'portico_session';
const REFRESH = 'portico_refresh';
const PROBLEM = /application\/problem\+json/;

describe('Sessions: access tokens, refresh rotation, logout, one guard for users and API keys', () => {
  let t: AuthTestEnv;
  const jwt = new JwtService();

  beforeAll(async () => {
    t = await startAuthTestEnv({}, { extraModules: [EchoFixtureModule] });
  });
  afterAll(async () => t?.close());

  async function signedIn(user = 'g-erin'): Promise<LoginBrowser> {
    const browser = new LoginBrowser(t.app.url);
    await browser.login('google', user);
    return browser;
  }

  const me = (token: string): request.Test =>
    request(t.app.url).get('/auth/me').set('Authorization', `Bearer ${token}`);

  describe('access token', () => {
    it('is an HS256 JWT with iss, aud, sub, sid and a 15-minute lifetime', async () => {
      const browser = await signedIn();
      const claims = jwt.decode(browser.jar.get(SESSION) as string, { complete: true });
      expect(claims.header.alg).toBe('HS256');
      expect(claims.payload).toMatchObject({
        iss: 'portico',
        aud: 'portico-api',
        sub: expect.any(String),
        sid: expect.any(String),
        jti: expect.any(String),
      });
      const payload = claims.payload as { iat: number; exp: number };
      expect(payload.exp - payload.iat).toBe(15 * 60);
    });

    it('is refused when tampered with, expired, for another audience or issuer, unsigned or signed with another key: 401 problem', async () => {
      const browser = await signedIn();
      const good = browser.jar.get(SESSION) as string;
      const claims = jwt.decode<Record<string, unknown>>(good);
      const base = { sub: claims.sub, sid: claims.sid };
      const [header, payload, signature] = good.split('.');
      const otherPayload = Buffer.from(
        JSON.stringify({ ...claims, sub: '00000000-0000-7000-8000-000000000000' }),
      ).toString('base64url');
      const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const bad = {
        'flipped signature': `${header}.${payload}.${flipped}`,
        'changed payload': `${header}.${otherPayload}.${signature}`,
        'alg none': none,
        expired: await jwt.signAsync(
          { ...base, exp: Math.floor(Date.now() / 1000) - 10 },
          { secret: JWT_SECRET, issuer: 'portico', audience: 'portico-api' },
        ),
        'other audience': await jwt.signAsync(base, {
          secret: JWT_SECRET,
          issuer: 'portico',
          audience: 'someone-else',
          expiresIn: 600,
        }),
        'other issuer': await jwt.signAsync(base, {
          secret: JWT_SECRET,
          issuer: 'evil',
          audience: 'portico-api',
          expiresIn: 600,
        }),
        'other key': await jwt.signAsync(base, {
          secret: 'x'.repeat(40),
          issuer: 'portico',
          audience: 'portico-api',
          expiresIn: 600,
        }),
      };
      await me(good).expect(200);
      for (const [what, token] of Object.entries(bad)) {
        const res = await me(token);
        expect([what, res.status]).toEqual([what, 401]);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.body.detail).toMatch(/session is not valid or has expired/);
        // As a cookie too.
        const cookie = await request(t.app.url).get('/auth/me').set('Cookie', `${SESSION}=${token}`);
        expect([what, cookie.status]).toEqual([what, 401]);
      }
    });
  });

  describe('refresh', () => {
    it('rotates: a new access and refresh token each time, the old refresh token used up', async () => {
      const browser = await signedIn();
      const firstAccess = browser.jar.get(SESSION) as string;
      const firstRefresh = browser.jar.get(REFRESH) as string;
      const res = await browser.post('/auth/refresh');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, accessToken: browser.jar.get(SESSION) });
      expect(res.body.refreshToken).toBeUndefined(); // browsers keep it in the cookie only
      expect(browser.jar.get(SESSION)).not.toBe(firstAccess);
      expect(browser.jar.get(REFRESH)).not.toBe(firstRefresh);
      await browser.get('/auth/me').then((r) => expect(r.status).toBe(200));
      const again = await browser.post('/auth/refresh');
      expect(again.status).toBe(200);
    });

    it('detects reuse: an already-used refresh token ends the whole session', async () => {
      const browser = await signedIn();
      const stolen = browser.jar.get(REFRESH) as string;
      expect((await browser.post('/auth/refresh')).status).toBe(200);
      const current = { access: browser.jar.get(SESSION) as string, refresh: browser.jar.get(REFRESH) as string };

      const thief = await request(t.app.url).post('/auth/refresh').send({ refreshToken: stolen });
      expect(thief.status).toBe(401);
      expect(thief.headers['content-type']).toMatch(PROBLEM);
      expect(thief.body.detail).toMatch(/already used/);
      // The legitimate holder's newer tokens are revoked too (the family is gone).
      await me(current.access).expect(401);
      const rightful = await request(t.app.url).post('/auth/refresh').send({ refreshToken: current.refresh });
      expect(rightful.status).toBe(401);
    });

    it('works for REST clients with the token in the body, answering the next one in the body', async () => {
      const browser = await signedIn();
      const res = await request(t.app.url)
        .post('/auth/refresh')
        .send({ refreshToken: browser.jar.get(REFRESH) })
        .expect(200);
      expect(res.body.refreshToken).toMatch(/^rt_/);
      await me(res.body.accessToken).expect(200);
      await request(t.app.url).post('/auth/refresh').send({ refreshToken: res.body.refreshToken }).expect(200);
    });

    it('refuses an unknown or missing refresh token with 401 problem', async () => {
      const unknown = await request(t.app.url).post('/auth/refresh').send({ refreshToken: 'rt_nope' });
      expect(unknown.status).toBe(401);
      expect(unknown.headers['content-type']).toMatch(PROBLEM);
      await request(t.app.url).post('/auth/refresh').expect(401);
    });
  });

  describe('logout', () => {
    it('ends the session: cookies cleared, access and refresh tokens refused afterwards', async () => {
      const browser = await signedIn();
      const access = browser.jar.get(SESSION) as string;
      const refresh = browser.jar.get(REFRESH) as string;
      const res = await browser.post('/auth/logout');
      expect(res.status).toBe(204);
      expect(browser.jar.get(SESSION)).toBeUndefined();
      expect(browser.jar.get(REFRESH)).toBeUndefined();
      await me(access).expect(401);
      await request(t.app.url).post('/auth/refresh').send({ refreshToken: refresh }).expect(401);
      // Another session of the same user is untouched.
      const other = await signedIn();
      await other.get('/auth/me').then((r) => expect(r.status).toBe(200));
    });

    it('needs a session: 401 without one, 403 for an API key', async () => {
      await request(t.app.url).post('/auth/logout').expect(401);
      await request(t.app.url).post('/auth/logout').set('X-Api-Key', TEST_KEY).expect(403);
      await request(t.app.url).get('/auth/me').set('X-Api-Key', TEST_KEY).expect(403);
    });
  });

  describe('the global guard', () => {
    it('accepts a user session on protected routes (cookie or Bearer) and reports the user as principal', async () => {
      const browser = await signedIn();
      const id = (await browser.get('/auth/me')).body.id as string;
      const viaCookie = await request(t.app.url)
        .post('/test-fixtures/echo')
        .set('Cookie', `${SESSION}=${browser.jar.get(SESSION)}`)
        .send({ name: 'a', count: 1 })
        .expect(201);
      expect(viaCookie.body.principal).toBe(id);
      const viaBearer = await request(t.app.url)
        .post('/test-fixtures/echo')
        .set('Authorization', `Bearer ${browser.jar.get(SESSION)}`)
        .send({ name: 'a', count: 1 })
        .expect(201);
      expect(viaBearer.body.principal).toBe(id);
    });

    it('still accepts API keys (Bearer and X-Api-Key) and refuses unknown ones', async () => {
      await request(t.app.url)
        .post('/test-fixtures/echo')
        .set('Authorization', `Bearer ${TEST_KEY}`)
        .send({ name: 'a', count: 1 })
        .expect(201);
      await request(t.app.url)
        .post('/test-fixtures/echo')
        .set('X-Api-Key', TEST_KEY)
        .send({ name: 'a', count: 1 })
        .expect(201);
      const wrong = await request(t.app.url)
        .post('/test-fixtures/echo')
        .set('Authorization', 'Bearer pk_not_a_key')
        .send({ name: 'a', count: 1 });
      expect(wrong.status).toBe(401);
      expect(wrong.body.detail).toBe('The API key is not valid');
    });

    it('keeps admin routes to admin API keys: a user session gets 403', async () => {
      const browser = await signedIn();
      await request(t.app.url)
        .get('/test-fixtures/admin')
        .set('Authorization', `Bearer ${browser.jar.get(SESSION)}`)
        .expect(403);
      await request(t.app.url).get('/test-fixtures/admin').set('X-Api-Key', TEST_ADMIN_KEY).expect(200);
    });

    it('refuses anonymous calls with 401 problem naming both ways in', async () => {
      const res = await request(t.app.url).post('/test-fixtures/echo').send({ name: 'a', count: 1 });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.detail).toMatch(/Sign in, or present an API key/);
    });
  });

  it('stores provider tokens encrypted (AES-256-GCM), never in clear', async () => {
    await signedIn('g-ada');
    const { DataSource } = await import('typeorm');
    const rows: Array<{ access_token: string }> = await t.app.app
      .get(DataSource)
      .query('SELECT access_token FROM oauth_accounts');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.access_token).toMatch(/^v1\./);
      expect(row.access_token).not.toMatch(/at_[0-9a-f]{32}/);
    }
  });
});
