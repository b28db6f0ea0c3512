import { createHash } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RefreshTokenEntity } from '../../src/integrations/auth/entities/refresh-token.entity';
import { type AuthTestEnv, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { LoginBrowser } from '../support/oauth/login-flow';

/**
 * A page whose access token expired fires several requests at once, and
 * each refreshes with the same refresh token. Within the grace window
 * (AUTH_REFRESH_REUSE_GRACE_SECONDS, default 10 s) they all get the same
 * new pair; later, a used token still means theft and ends the session.
 */
describe('Refresh races: one refresh token presented concurrently', () => {
  let t: AuthTestEnv;

  beforeAll(async () => {
    t = await startAuthTestEnv();
  }, 60_000);
  afterAll(async () => t?.close());

  async function signedIn(): Promise<LoginBrowser> {
    const browser = new LoginBrowser(t.app.url);
    await browser.login('google', 'g-erin');
    return browser;
  }

  it('concurrent cookie refreshes all succeed with the same pair, and the session lives on', async () => {
    const browser = await signedIn();
    const answers = await Promise.all(Array.from({ length: 5 }, () => browser.post('/auth/refresh')));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((r) => r.body.accessToken as string)).size).toBe(1);
    const refreshCookies = answers.map((r) =>
      ([] as string[]).concat(r.headers['set-cookie'] ?? []).find((c) => c.startsWith('portico_refresh=')),
    );
    expect(new Set(refreshCookies).size).toBe(1);
    expect((await browser.get('/auth/me')).status).toBe(200);
    expect((await browser.post('/auth/refresh')).status).toBe(200);
  });

  it('concurrent body refreshes (REST clients) get the same next refresh token, which works once more', async () => {
    const browser = await signedIn();
    const token = browser.jar.get('portico_refresh') as string;
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => request(t.app.url).post('/auth/refresh').send({ refreshToken: token })),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const next = new Set(answers.map((r) => r.body.refreshToken as string));
    expect(next.size).toBe(1);
    const [nextToken] = [...next];
    await request(t.app.url).post('/auth/refresh').send({ refreshToken: nextToken }).expect(200);
  });

  it('reuse after the grace window still ends the whole session', async () => {
    const browser = await signedIn();
    const stolen = browser.jar.get('portico_refresh') as string;
    expect((await browser.post('/auth/refresh')).status).toBe(200);
    // As if 11 s had passed since the legitimate use.
    await t.app.app
      .get(DataSource)
      .getRepository(RefreshTokenEntity)
      .update(
        { tokenHash: createHash('sha256').update(stolen).digest('hex') },
        { usedAt: new Date(Date.now() - 11_000) },
      );
    const thief = await request(t.app.url).post('/auth/refresh').send({ refreshToken: stolen });
    expect(thief.status).toBe(401);
    expect(thief.body.detail).toMatch(/already used/);
    expect((await browser.get('/auth/me')).status).toBe(401);
  });
});
