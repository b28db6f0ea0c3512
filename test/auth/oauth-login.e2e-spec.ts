import request from 'supertest';
import { type AuthTestEnv, FRONT_END, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { LoginBrowser, consent } from '../support/oauth/login-flow';

const SESSION = 'portico_session';
const REFRESH = 'portico_refresh';

/** Reads the `error` code of a redirect to the front end ('/' by default). */
function errorOf(location: string): string | null {
  return new URL(location, 'http://app.invalid').searchParams.get('error');
}

describe('OAuth login (Google and GitHub stand-ins, state + PKCE in a cookie)', () => {
  let t: AuthTestEnv;

  beforeAll(async () => {
    t = await startAuthTestEnv();
  });
  afterAll(async () => t?.close());

  it('lists both configured providers', async () => {
    const res = await request(t.app.url).get('/auth/providers').expect(200);
    expect(res.body.providers).toEqual([
      { name: 'google', label: 'Google', loginUrl: '/auth/google' },
      { name: 'github', label: 'GitHub', loginUrl: '/auth/github' },
    ]);
  });

  it('sends the browser to Google with state, PKCE S256 and the exact callback, in a short-lived httpOnly cookie', async () => {
    const browser = new LoginBrowser(t.app.url);
    const res = await browser.get('/auth/google');
    expect(res.status).toBe(302);
    const to = new URL(res.headers.location);
    expect(`${to.origin}${to.pathname}`).toBe(`${t.google.url}/o/oauth2/v2/auth`);
    expect(to.searchParams.get('redirect_uri')).toBe(
      `${t.app.url.replace('127.0.0.1', '127.0.0.1')}/auth/google/callback`,
    );
    expect(to.searchParams.get('scope')).toBe('openid email profile');
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('portico_oauth_google='));
    expect(cookie).toMatch(/Max-Age=600/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/auth/);
    // The verifier is sealed: neither it nor the state is readable in the cookie.
    expect(cookie).not.toContain(to.searchParams.get('state') as string);
  });

  it('signs in with Google end to end: session cookies, /auth/me, and the token as Bearer', async () => {
    const browser = new LoginBrowser(t.app.url);
    const landing = await browser.login('google', 'g-erin');
    expect(landing).toBe('/');
    const me = await browser.get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      email: 'erin@example.test',
      emailVerified: true,
      name: 'Erin',
      providers: ['google'],
    });
    const access = browser.jar.get(SESSION) as string;
    expect(browser.jar.get(REFRESH)).toMatch(/^rt_/);
    const bearer = await request(t.app.url).get('/auth/me').set('Authorization', `Bearer ${access}`).expect(200);
    expect(bearer.body.id).toBe(me.body.id);
    // The login state cookie is gone after the callback.
    expect(browser.jar.get('portico_oauth_google')).toBeUndefined();
  });

  it('sets the session cookies httpOnly, SameSite=Lax, the refresh one only for /auth', async () => {
    const browser = new LoginBrowser(t.app.url);
    const authorize = await browser.start('google');
    const res = await browser.callback(await consent(authorize, { user: 'g-erin', decision: 'allow' }));
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const session = cookies.find((c) => c.startsWith(`${SESSION}=`));
    const refresh = cookies.find((c) => c.startsWith(`${REFRESH}=`));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).toMatch(/Path=\/;/);
    expect(refresh).toMatch(/HttpOnly/);
    expect(refresh).toMatch(/Path=\/auth/);
    // Plain HTTP outside production: not Secure (the browser would drop it).
    expect(session).not.toMatch(/Secure/);
  });

  it('signs in with GitHub using the private, primary and verified address from /user/emails, linking the Google user', async () => {
    const viaGoogle = new LoginBrowser(t.app.url);
    await viaGoogle.login('google', 'g-ada');
    const googleMe = (await viaGoogle.get('/auth/me')).body;

    const viaGitHub = new LoginBrowser(t.app.url);
    expect(await viaGitHub.login('github', '1001')).toBe('/');
    const me = await viaGitHub.get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: googleMe.id,
      email: 'ada@example.test',
      emailVerified: true,
      providers: ['github', 'google'],
    });
    const log = await t.github.log();
    expect(log.filter((e) => e.type === 'token' && e.ok)).not.toHaveLength(0);
  });

  it('does not link an address the provider has not verified: a separate user', async () => {
    const carol = new LoginBrowser(t.app.url);
    await carol.login('google', 'g-carol');
    const carolMe = (await carol.get('/auth/me')).body;

    const impostor = new LoginBrowser(t.app.url);
    await impostor.login('github', '1002');
    const me = (await impostor.get('/auth/me')).body;
    expect(me.id).not.toBe(carolMe.id);
    expect(me).toMatchObject({ email: 'carol@example.test', emailVerified: false, providers: ['github'] });
    // And Carol's account did not gain a GitHub identity.
    expect((await carol.get('/auth/me')).body.providers).toEqual(['google']);
  });

  it('signs a returning user in to the same account', async () => {
    const first = new LoginBrowser(t.app.url);
    await first.login('github', '1003');
    const second = new LoginBrowser(t.app.url);
    await second.login('github', '1003');
    expect((await second.get('/auth/me')).body.id).toBe((await first.get('/auth/me')).body.id);
  });

  it('returns to an allowed returnTo after login', async () => {
    const browser = new LoginBrowser(t.app.url);
    expect(await browser.login('google', 'g-erin', `${FRONT_END}/after?tab=files`)).toBe(
      `${FRONT_END}/after?tab=files`,
    );
  });

  describe('refused logins redirect to the front end with an error code (never a 500)', () => {
    it('access_denied: the user said no', async () => {
      const browser = new LoginBrowser(t.app.url);
      const authorize = await browser.start('google', `${FRONT_END}/app`);
      const back = await consent(authorize, { decision: 'deny' });
      expect(back.searchParams.get('error')).toBe('access_denied');
      const res = await browser.callback(back);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`${FRONT_END}/app?error=access_denied`);
      expect(browser.jar.get(SESSION)).toBeUndefined();
      expect(browser.jar.get('portico_oauth_google')).toBeUndefined();
    });

    it('state mismatch: the callback carries another state than this browser’s', async () => {
      const browser = new LoginBrowser(t.app.url);
      const back = await consent(await browser.start('google'), { user: 'g-erin', decision: 'allow' });
      back.searchParams.set('state', 'A'.repeat(43));
      const res = await browser.callback(back);
      expect(res.status).toBe(302);
      expect(errorOf(res.headers.location)).toBe('state_mismatch');
      expect(browser.jar.get(SESSION)).toBeUndefined();
    });

    it('missing cookie: a callback delivered to another browser (login CSRF) is refused', async () => {
      const victim = new LoginBrowser(t.app.url);
      const attacker = new LoginBrowser(t.app.url);
      const back = await consent(await attacker.start('google'), { user: 'g-erin', decision: 'allow' });
      const res = await victim.callback(back);
      expect(res.status).toBe(302);
      expect(errorOf(res.headers.location)).toBe('state_missing');
      expect(victim.jar.get(SESSION)).toBeUndefined();
    });

    it('tampered login cookie is refused', async () => {
      const browser = new LoginBrowser(t.app.url);
      const back = await consent(await browser.start('github'), { user: '1003', decision: 'allow' });
      const sealed = browser.jar.get('portico_oauth_github') as string;
      browser.jar.set(
        'portico_oauth_github',
        `${sealed.slice(0, -4)}${sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
        '/auth',
      );
      const res = await browser.callback(back);
      expect(errorOf(res.headers.location)).toBe('state_invalid');
    });

    it('replayed state: a used callback (cookie + state) is refused, here and on another instance', async () => {
      const browser = new LoginBrowser(t.app.url);
      const authorize = await browser.start('google');
      const back = await consent(authorize, { user: 'g-erin', decision: 'allow' });
      const saved = browser.jar.clone();
      expect(errorOf((await browser.callback(back)).headers.location)).toBeNull();

      // Same authorization request again at the provider: a fresh code for the same state.
      const again = await consent(authorize, { user: 'g-erin', decision: 'allow' });
      expect(again.searchParams.get('state')).toBe(back.searchParams.get('state'));
      const replay = new LoginBrowser(t.app.url);
      for (const name of ['portico_oauth_google']) replay.jar.set(name, saved.get(name) as string, '/auth');
      const res = await replay.callback(again);
      expect(errorOf(res.headers.location)).toBe('state_reused');
      expect(replay.jar.get(SESSION)).toBeUndefined();

      const other = await t.another();
      const elsewhere = new LoginBrowser(other.url);
      elsewhere.jar.set('portico_oauth_google', saved.get('portico_oauth_google') as string, '/auth');
      const third = await consent(authorize, { user: 'g-erin', decision: 'allow' });
      const res2 = await elsewhere.callback(third);
      expect(errorOf(res2.headers.location)).toBe('state_reused');
    });

    it('missing PKCE verifier: an intercepted code injected into another login fails at the token endpoint', async () => {
      const victim = new LoginBrowser(t.app.url);
      const stolen = await consent(await victim.start('google'), { user: 'g-ada', decision: 'allow' });
      const attacker = new LoginBrowser(t.app.url);
      const own = await consent(await attacker.start('google'), { user: 'g-erin', decision: 'allow' });
      // The attacker's own state and cookie (so state passes), with the victim's code.
      own.searchParams.set('code', stolen.searchParams.get('code') as string);
      const res = await attacker.callback(own);
      expect(errorOf(res.headers.location)).toBe('code_rejected');
      expect(attacker.jar.get(SESSION)).toBeUndefined();
      const log = await t.google.log();
      expect(log.at(-1)).toMatchObject({
        type: 'token',
        ok: false,
        description: 'code verifier does not match the challenge',
      });
    });

    it('the stand-in really enforces PKCE: no code_verifier, no token', async () => {
      const browser = new LoginBrowser(t.app.url);
      const back = await consent(await browser.start('google'), { user: 'g-erin', decision: 'allow' });
      const res = await request(t.google.url)
        .post('/token')
        .type('form')
        .send({
          grant_type: 'authorization_code',
          code: back.searchParams.get('code'),
          redirect_uri: `${t.app.url}/auth/google/callback`,
          client_id: 'google-client',
          client_secret: 'google-secret',
        });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'missing code verifier' });
      const noChallenge = new URL(`${t.google.url}/o/oauth2/v2/auth`);
      for (const [k, v] of Object.entries({
        client_id: 'google-client',
        redirect_uri: `${t.app.url}/auth/google/callback`,
        response_type: 'code',
        scope: 'openid',
        state: 's',
      }))
        noChallenge.searchParams.set(k, v);
      const refused = await request(t.google.url).get(`${noChallenge.pathname}${noChallenge.search}`).expect(302);
      expect(new URL(refused.headers.location).searchParams.get('error')).toBe('invalid_request');
      noChallenge.searchParams.set('redirect_uri', `${t.app.url}/auth/google/callback/`);
      await request(t.google.url).get(`${noChallenge.pathname}${noChallenge.search}`).expect(400);
    });

    it('code reused: a code already exchanged is refused even with a fresh state', async () => {
      const browser = new LoginBrowser(t.app.url);
      const back = await consent(await browser.start('github'), { user: '1003', decision: 'allow' });
      await browser.callback(back);
      const fresh = new LoginBrowser(t.app.url);
      const own = await consent(await fresh.start('github'), { user: '1003', decision: 'allow' });
      own.searchParams.set('code', back.searchParams.get('code') as string);
      const res = await fresh.callback(own);
      expect(errorOf(res.headers.location)).toBe('code_rejected');
      expect(fresh.jar.get(SESSION)).toBeUndefined();
      expect((await t.github.log()).filter((e) => e.type === 'token').at(-1)).toMatchObject({
        ok: false,
        description: 'code already used',
      });
    });

    it('provider outage at the token endpoint: provider_unavailable, no session', async () => {
      const browser = new LoginBrowser(t.app.url);
      const res = await browser.callback(
        await consent(await browser.start('google'), { user: 'g-outage', decision: 'allow' }),
      );
      expect(res.status).toBe(302);
      expect(errorOf(res.headers.location)).toBe('provider_unavailable');
      expect(browser.jar.get(SESSION)).toBeUndefined();
    });

    it('a callback without code or state goes to the front end with an error', async () => {
      const res = await request(t.app.url).get('/auth/google/callback');
      expect(res.status).toBe(302);
      expect(errorOf(res.headers.location)).toBe('invalid_callback');
      const provider = await request(t.app.url).get('/auth/google/callback?state=abc');
      expect(new URL(provider.headers.location, 'http://x').origin).not.toBe(t.google.url);
    });
  });

  describe('open redirects: anything but an allow-listed origin lands on the default page', () => {
    it.each([
      '//evil.test',
      '//evil.test/path',
      'https://evil.test',
      'https://evil.test/?next=http://front.test:8080',
      'javascript:alert(document.cookie)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '%2F%2Fevil.test',
      '%252F%252Fevil.test',
      'https:%2F%2Fevil.test',
      '/\\evil.test',
      '\\\\evil.test',
      'https:evil.test',
      'http://front.test:8080@evil.test',
      'http://evil.test\\@front.test:8080',
      'http://front.test:8080.evil.test',
      'http://front.test:8081',
      'https://front.test:8080',
      ' http://evil.test',
      '/relative/path',
    ])('returnTo=%s → /', async (returnTo) => {
      const browser = new LoginBrowser(t.app.url);
      expect(await browser.login('google', 'g-erin', returnTo)).toBe('/');
    });

    it('error redirects never go to a foreign origin either', async () => {
      const browser = new LoginBrowser(t.app.url);
      const back = await consent(await browser.start('github', 'https://evil.test'), { decision: 'deny' });
      const res = await browser.callback(back);
      expect(res.headers.location).toBe('/?error=access_denied');
    });
  });

  it('answers an unknown provider with 404 problem+json', async () => {
    const res = await request(t.app.url).get('/auth/myspace');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('reports both providers up in readiness', async () => {
    const res = await request(t.app.url).get('/health/ready').expect(200);
    expect(res.body.providers.google).toMatchObject({ status: 'up' });
    expect(res.body.providers.github).toMatchObject({ status: 'up' });
  });

  it('sends discovery, the token exchange and profile calls through the provider policies, counted in /metrics', async () => {
    expect(await new LoginBrowser(t.app.url).login('google', 'g-erin')).toBe('/');
    expect(await new LoginBrowser(t.app.url).login('github', '1001')).toBe('/');
    const metrics = (await request(t.app.url).get('/metrics').expect(200)).text;
    for (const [provider, operation] of [
      ['google', 'oidc.discovery'],
      ['google', 'token.exchange'],
      ['github', 'token.exchange'],
      ['github', 'user.get'],
      ['github', 'user.emails'],
    ]) {
      expect(metrics).toMatch(
        new RegExp(
          `integration_calls_total\\{provider="${provider}",operation="${operation}",outcome="success"\\} [1-9]`,
        ),
      );
    }
  });
});

describe('OAuth login not configured', () => {
  it('still serves the page at / (script from a file, under the default Content-Security-Policy)', async () => {
    const { startTestApp } = await import('../support/app');
    const app = await startTestApp();
    try {
      const res = await request(app.url).get('/').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(res.text).toContain('<script src="/page/app.js" defer></script>');
      expect(res.text).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>|\son[a-z]+="/);
      const js = await request(app.url).get('/page/app.js').expect(200);
      expect(js.headers['content-type']).toMatch(/javascript/);
      expect(js.text).toContain('Sign-in is not configured');
      await request(app.url).get('/page/../../package.json').expect(404);
    } finally {
      await app.close();
    }
  });

  it('answers /auth/google with 503 problem+json and lists no providers', async () => {
    const { startTestApp } = await import('../support/app');
    const app = await startTestApp();
    try {
      const res = await request(app.url).get('/auth/google');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({
        title: 'Provider not configured',
        detail: expect.stringContaining('GOOGLE_CLIENT_ID'),
      });
      expect((await request(app.url).get('/auth/github/callback?code=x&state=y')).status).toBe(503);
      expect((await request(app.url).get('/auth/providers').expect(200)).body).toEqual({ providers: [] });
    } finally {
      await app.close();
    }
  });
});

describe('Google offline access (GOOGLE_OFFLINE_ACCESS=true)', () => {
  let t: AuthTestEnv;

  beforeAll(async () => {
    t = await startAuthTestEnv({ GOOGLE_OFFLINE_ACCESS: 'true' });
  });
  afterAll(async () => t?.close());

  it('asks for offline access with consent and keeps the Google refresh token encrypted', async () => {
    const browser = new LoginBrowser(t.app.url);
    const authorize = await browser.start('google');
    expect(authorize.searchParams.get('access_type')).toBe('offline');
    expect(authorize.searchParams.get('prompt')).toBe('consent');
    await browser.callback(await consent(authorize, { user: 'g-erin', decision: 'allow' }));
    const { DataSource } = await import('typeorm');
    const rows: Array<{ refresh_token: string | null }> = await t.app.app
      .get(DataSource)
      .query("SELECT refresh_token FROM oauth_accounts WHERE provider = 'google'");
    expect(rows).toHaveLength(1);
    expect(rows[0].refresh_token).toMatch(/^v1\./);
    expect(rows[0].refresh_token).not.toMatch(/rt_[0-9a-f]{32}/);
  });

  it('refreshes an expired Google token through the OpenID Connect path, and revokes the grant on unlink', async () => {
    const browser = new LoginBrowser(t.app.url);
    await browser.login('google', 'g-carol');
    const me = (await browser.get('/auth/me')).body;
    const { DataSource } = await import('typeorm');
    const { ProviderTokens } = await import('../../src/integrations/auth/tokens/provider-tokens.service');
    const { OAuthAccountEntity } = await import('../../src/integrations/auth/entities/oauth-account.entity');
    // Google's tokens live an hour; pretend that hour is over.
    await t.app.app
      .get(DataSource)
      .getRepository(OAuthAccountEntity)
      .update({ userId: me.id }, { tokenExpiresAt: new Date(0) });
    const token = await t.app.app.get(ProviderTokens).getAccessToken(me.id, 'google');
    expect((await t.google.log()).filter((e) => e.type === 'refresh')).toHaveLength(1);
    const info = await request(t.google.url).get('/oauth2/v3/userinfo').set('Authorization', `Bearer ${token}`);
    expect(info.body).toMatchObject({ sub: 'g-carol' });

    // Link GitHub, then unlink Google: its refresh token is revoked at Google's revocation_endpoint.
    const link = await browser.get('/auth/github/link');
    await browser.callback(await consent(new URL(link.headers.location), { user: '1003', decision: 'allow' }));
    const identities = (await browser.get('/auth/identities')).body.identities as Array<{
      id: string;
      provider: string;
    }>;
    const google = identities.find((i) => i.provider === 'google') as { id: string };
    expect((await browser.delete(`/auth/identities/${google.id}`)).status).toBe(204);
    expect((await t.google.log()).filter((e) => e.type === 'revoke')).toEqual([
      expect.objectContaining({ ok: true, known: true }),
    ]);
  });
});
