import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, Module } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OnDurableEvent } from '../../src/core/durable/on-durable-event.decorator';
import { OAuthAccountEntity } from '../../src/integrations/auth/entities/oauth-account.entity';
import {
  IDENTITY_RECONNECT_REQUIRED,
  IdentityNotLinkedError,
  type IdentityReconnectRequired,
  ProviderTokens,
  ReconnectRequiredError,
} from '../../src/integrations/auth/tokens/provider-tokens.service';
import { eventually } from '../support/eventually';
import { type GithubApiStandIn, startGithubApi } from '../support/github/github-api.server';
import { type AuthTestEnv, FRONT_END, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { freePort } from '../support/services';
import { LoginBrowser, consent } from '../support/oauth/login-flow';
import { type OidcTestProvider, authorizeAt, startOidcProvider } from '../support/oidc/oidc-provider';

/** What the durable consumer received (this file's app only). */
const delivered: IdentityReconnectRequired[] = [];

@Injectable()
class ReconnectRecorder {
  @OnDurableEvent(IDENTITY_RECONNECT_REQUIRED)
  record(payload: IdentityReconnectRequired): void {
    delivered.push(payload);
  }
}

@Module({ providers: [ReconnectRecorder] })
class ReconnectRecorderModule {}

const ACCOUNTS = {
  alice: { email: 'alice@corp.test', email_verified: true, name: 'Alice Corp' },
  // Claims Ada's address (verified at the Google stand-in) without having verified it.
  mallory: { email: 'ada@example.test', email_verified: false, name: 'Mallory' },
  bob: { email: 'bob@corp.test', email_verified: true, name: 'Bob' },
  carl: { email: 'carl@corp.test', email_verified: true, name: 'Carl' },
  // The address of the Google stand-in's Erin, verified on both sides.
  erin: { email: 'erin@example.test', email_verified: true, name: 'Erin at Corp' },
};

const GITHUB_SERVER_TOKEN = 'ghp_serverTokenForTheRestExample0123';

function errorOf(location: string): string | null {
  return new URL(location, 'http://app.invalid').searchParams.get('error');
}

describe('Login with an OpenID Connect issuer (oidc-provider), linking and provider tokens', () => {
  let t: AuthTestEnv;
  let idp: OidcTestProvider;
  /** GitHub's REST API: the server's own token, and users' tokens for calls on their behalf. */
  let githubApi: GithubApiStandIn;

  beforeAll(async () => {
    t = await startAuthTestEnv({}, { extraModules: [ReconnectRecorderModule] }, async (base) => {
      idp = await startOidcProvider({
        // Two clients: `corp` asks for offline access (refresh tokens), `partner` does not.
        clients: [
          { client_id: 'portico', client_secret: 'corp-secret', redirect_uris: [`${base}/auth/corp/callback`] },
          {
            client_id: 'partner-app',
            client_secret: 'partner-secret',
            redirect_uris: [`${base}/auth/partner/callback`],
          },
        ],
        accounts: ACCOUNTS,
      });
      githubApi = await startGithubApi(GITHUB_SERVER_TOKEN, {
        'frank-gh': [{ name: 'private-notes' }, { name: 'dotfiles', language: 'Shell' }],
      });
      return {
        env: {
          OIDC_PROVIDERS: 'corp,partner,down',
          OIDC_CORP_ISSUER: idp.issuer,
          OIDC_CORP_CLIENT_ID: 'portico',
          OIDC_CORP_CLIENT_SECRET: 'corp-secret',
          OIDC_CORP_SCOPES: 'openid email profile offline_access',
          OIDC_CORP_LABEL: 'Corp SSO',
          OIDC_PARTNER_ISSUER: idp.issuer,
          OIDC_PARTNER_CLIENT_ID: 'partner-app',
          OIDC_PARTNER_CLIENT_SECRET: 'partner-secret',
          // Nothing listens there: discovery fails.
          OIDC_DOWN_ISSUER: `http://127.0.0.1:${await freePort()}`,
          OIDC_DOWN_CLIENT_ID: 'x',
          OIDC_DOWN_CLIENT_SECRET: 'y',
          GITHUB_REST_API_URL: githubApi.url,
          GITHUB_REST_TOKEN: GITHUB_SERVER_TOKEN,
        },
        stop: async () => {
          await idp.stop();
          await githubApi.close();
        },
      };
    });
  });
  afterAll(async () => t?.close());

  /** Signs in at `corp` as `account`; returns the browser (session cookies set). */
  async function corpLogin(account: string): Promise<LoginBrowser> {
    const browser = new LoginBrowser(t.app.url);
    const res = await browser.callback(await authorizeAt(await browser.start('corp'), account));
    expect(res.status).toBe(302);
    expect(errorOf(res.headers.location)).toBeNull();
    return browser;
  }

  it('lists every configured provider, built-in and OIDC_PROVIDERS, on /auth/providers', async () => {
    const res = await request(t.app.url).get('/auth/providers').expect(200);
    expect(res.body.providers).toEqual([
      { name: 'google', label: 'Google', loginUrl: '/auth/google' },
      { name: 'github', label: 'GitHub', loginUrl: '/auth/github' },
      { name: 'corp', label: 'Corp SSO', loginUrl: '/auth/corp' },
      { name: 'partner', label: 'Partner', loginUrl: '/auth/partner' },
      { name: 'down', label: 'Down', loginUrl: '/auth/down' },
    ]);
  });

  it('an issuer that cannot be reached sends the browser back with error=provider_unavailable (no state left behind)', async () => {
    const browser = new LoginBrowser(t.app.url);
    const res = await browser.get(`/auth/down?returnTo=${encodeURIComponent(FRONT_END)}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${FRONT_END}/?error=provider_unavailable`);
    expect(browser.jar.get('portico_oauth_down')).toBeUndefined();
  });

  it('redirects to the discovered authorization endpoint with state, nonce, PKCE S256 and consent for offline access', async () => {
    const to = await new LoginBrowser(t.app.url).start('corp');
    expect(`${to.origin}${to.pathname}`).toBe(`${idp.issuer}/auth`);
    expect(to.searchParams.get('client_id')).toBe('portico');
    expect(to.searchParams.get('redirect_uri')).toBe(`${t.app.url}/auth/corp/callback`);
    expect(to.searchParams.get('scope')).toBe('openid email profile offline_access');
    expect(to.searchParams.get('prompt')).toBe('consent');
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs in end to end with the verified ID token: /auth/me shows the user', async () => {
    const browser = await corpLogin('alice');
    const me = (await browser.get('/auth/me')).body;
    expect(me).toMatchObject({
      email: 'alice@corp.test',
      emailVerified: true,
      name: 'Alice Corp',
      providers: ['corp'],
      reconnectRequired: [],
    });
  });

  it('replaying a used callback fails: the state (and so its nonce) works once', async () => {
    const browser = new LoginBrowser(t.app.url);
    const back = await authorizeAt(await browser.start('partner'), 'carl');
    const saved = browser.jar.clone();
    expect(errorOf((await browser.callback(back)).headers.location)).toBeNull();
    const replay = new LoginBrowser(t.app.url);
    for (const name of ['portico_oauth_partner']) replay.jar.set(name, saved.get(name) as string, '/auth');
    expect(errorOf((await replay.callback(back)).headers.location)).toBe('state_reused');
  });

  it('does not link an address the issuer has not verified (email_verified false): a separate user', async () => {
    const ada = new LoginBrowser(t.app.url);
    await ada.login('google', 'g-ada');
    const adaMe = (await ada.get('/auth/me')).body;
    const mallory = await corpLogin('mallory');
    const me = (await mallory.get('/auth/me')).body;
    expect(me.id).not.toBe(adaMe.id);
    expect(me).toMatchObject({ email: 'ada@example.test', emailVerified: false, providers: ['corp'] });
    expect((await ada.get('/auth/me')).body.providers).toEqual(['google']);
  });

  it('AUTH_LINK_BY_VERIFIED_EMAIL=false: a verified address at a new provider makes a separate user', async () => {
    const erin = new LoginBrowser(t.app.url);
    await erin.login('google', 'g-erin');
    const googleErin = (await erin.get('/auth/me')).body;
    const noLinking = await t.another({
      // Also: resilience overrides for a configured issuer are accepted at start-up (RESILIENCE_<NAME>_*).
      env: { AUTH_LINK_BY_VERIFIED_EMAIL: 'false', RESILIENCE_CORP_MAX_ATTEMPTS: '2' },
      extraModules: [ReconnectRecorderModule],
    });
    // The issuer knows one redirect URI (PUBLIC_URL's); its callback path is delivered to this instance.
    const browser = new LoginBrowser(noLinking.url);
    const res = await browser.callback(await authorizeAt(await browser.start('corp'), 'erin'));
    expect(errorOf(res.headers.location)).toBeNull();
    const me = (await browser.get('/auth/me')).body;
    expect(me.id).not.toBe(googleErin.id);
    expect(me).toMatchObject({ email: 'erin@example.test', emailVerified: true, providers: ['corp'] });
    expect((await erin.get('/auth/me')).body.providers).toEqual(['google']);
  });

  describe('linking and unlinking', () => {
    it('links GitHub to the signed-in user, lists both identities, and refuses the identity to another user', async () => {
      const bob = await corpLogin('bob');
      const sessionBefore = bob.jar.get('portico_session');
      const start = await bob.get('/auth/github/link');
      expect(start.status).toBe(302);
      const back = await bob.callback(
        await consent(new URL(start.headers.location), { user: '1003', decision: 'allow' }),
      );
      expect(errorOf(back.headers.location)).toBeNull();
      // Linking keeps the session it started from.
      expect(bob.jar.get('portico_session')).toBe(sessionBefore);
      const listed = (await bob.get('/auth/identities')).body.identities;
      expect(listed.map((i: { provider: string }) => i.provider)).toEqual(['corp', 'github']);
      expect(listed[1]).toMatchObject({ email: 'frank@example.test', emailVerified: true, status: 'active' });
      expect((await bob.get('/auth/me')).body.providers).toEqual(['corp', 'github']);
      // Calls on Bob's behalf can now use his GitHub token (it does not expire: no refresh needed).
      const tokens = t.app.app.get(ProviderTokens);
      const bobId = (await bob.get('/auth/me')).body.id as string;
      await expect(tokens.getAccessToken(bobId, 'github')).resolves.toMatch(/^at_[0-9a-f]{32}$/);
      await expect(tokens.getAccessToken(bobId, 'google')).rejects.toBeInstanceOf(IdentityNotLinkedError);
      // One identity per provider: a second GitHub account is refused.
      const second = await bob.get('/auth/github/link');
      const again = await bob.callback(
        await consent(new URL(second.headers.location), { user: '1001', decision: 'allow' }),
      );
      expect(errorOf(again.headers.location)).toBe('provider_already_linked');
      expect((await bob.get('/auth/me')).body.providers).toEqual(['corp', 'github']);

      const carl = await corpLogin('carl');
      const other = await carl.get('/auth/github/link');
      const refused = await carl.callback(
        await consent(new URL(other.headers.location), { user: '1003', decision: 'allow' }),
      );
      expect(errorOf(refused.headers.location)).toBe('identity_in_use');
      expect((await carl.get('/auth/me')).body.providers).not.toContain('github');
      expect((await bob.get('/auth/me')).body.providers).toEqual(['corp', 'github']);
    });

    it('GET /github/me/repos lists the linked GitHub user’s own repositories with their token, not a server token', async () => {
      const bob = await corpLogin('bob');
      const bobId = (await bob.get('/auth/me')).body.id as string;
      const bobsToken = await t.app.app.get(ProviderTokens).getAccessToken(bobId, 'github');
      githubApi.grant(bobsToken, 'frank-gh');

      const own = await bob.get('/github/me/repos?perPage=10');
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ page: 1, perPage: 10, hasMore: false });
      expect(own.body.items.map((r: { fullName: string }) => r.fullName)).toEqual([
        'frank-gh/private-notes',
        'frank-gh/dotfiles',
      ]);
      const sent = githubApi.requests.at(-1);
      expect(sent?.url).toBe('/user/repos?page=1&per_page=10&sort=updated&affiliation=owner');
      expect(sent?.headers.authorization).toBe(`Bearer ${bobsToken}`);

      // Without a linked GitHub identity there is no token to use: 409 saying how to link one.
      const alice = await corpLogin('alice');
      const unlinked = await alice.get('/github/me/repos');
      expect(unlinked.status).toBe(409);
      expect(unlinked.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(unlinked.body.detail).toMatch(/\/auth\/github\/link/);
      // The public-data route keeps using the server's token: the user's token does not leak into other calls.
      expect((await bob.get('/github/users/frank-gh/repos')).status).toBe(200);
      expect(githubApi.requests.at(-1)?.headers.authorization).toBe(`Bearer ${GITHUB_SERVER_TOKEN}`);
    });

    it('GET /github/me/repos answers 409 reconnect-required, and calls GitHub with nothing, when the GitHub grant is no longer honoured', async () => {
      const bob = await corpLogin('bob');
      const bobId = (await bob.get('/auth/me')).body.id as string;
      const db = t.app.app.get(DataSource);
      // What ProviderTokens records when GitHub answers invalid_grant to a refresh.
      await db.query(
        `UPDATE oauth_accounts SET status = 'reconnect_required' WHERE user_id = '${bobId}' AND provider = 'github'`,
      );
      try {
        const before = githubApi.requests.length;
        const res = await bob.get('/github/me/repos');
        expect(res.status).toBe(409);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body).toMatchObject({ status: 409, title: 'Reconnect required' });
        expect(res.body.type).toMatch(/reconnect-required$/);
        expect(res.body.detail).toMatch(/sign in with github again/);
        expect(githubApi.requests.length).toBe(before);
      } finally {
        await db.query(
          `UPDATE oauth_accounts SET status = 'active' WHERE user_id = '${bobId}' AND provider = 'github'`,
        );
      }
    });

    it('refuses /auth/:provider/link without a session (401) and for an unknown provider (404)', async () => {
      expect((await request(t.app.url).get('/auth/github/link')).status).toBe(401);
      const alice = await corpLogin('alice');
      expect((await alice.get('/auth/myspace/link')).status).toBe(404);
    });

    it('unlinks GitHub (grant deleted at GitHub), then refuses to unlink the last identity with 409', async () => {
      const bob = await corpLogin('bob');
      const identities = (await bob.get('/auth/identities')).body.identities as Array<{ id: string; provider: string }>;
      const github = identities.find((i) => i.provider === 'github') as { id: string };
      const corp = identities.find((i) => i.provider === 'corp') as { id: string };
      await bob.delete(`/auth/identities/${github.id}`).then((res) => expect(res.status).toBe(204));
      expect((await t.github.log()).filter((e) => e.type === 'revoke').at(-1)).toMatchObject({ ok: true });
      expect((await bob.get('/auth/me')).body.providers).toEqual(['corp']);

      const last = await bob.delete(`/auth/identities/${corp.id}`);
      expect(last.status).toBe(409);
      expect(last.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((await bob.get('/auth/me')).body.providers).toEqual(['corp']);
      // Someone else's identity, or none: 404.
      expect((await bob.delete(`/auth/identities/${github.id}`)).status).toBe(404);
    });

    it('unlinking an OpenID Connect identity revokes its grant at the issuer (revocation_endpoint)', async () => {
      const alice = await corpLogin('alice');
      const start = await alice.get('/auth/partner/link');
      expect(
        errorOf((await alice.callback(await authorizeAt(new URL(start.headers.location), 'alice'))).headers.location),
      ).toBeNull();
      const identities = (await alice.get('/auth/identities')).body.identities as Array<{
        id: string;
        provider: string;
      }>;
      const corp = identities.find((i) => i.provider === 'corp') as { id: string };
      const before = (await idp.log()).filter((e) => e.type === 'revoked').length;
      expect((await alice.delete(`/auth/identities/${corp.id}`)).status).toBe(204);
      expect((await idp.log()).filter((e) => e.type === 'revoked')).toHaveLength(before + 1);
      expect((await alice.get('/auth/me')).body.providers).toEqual(['partner']);
    });
  });

  describe('provider tokens (ProviderTokens.getAccessToken)', () => {
    async function userIdOf(browser: LoginBrowser): Promise<string> {
      return (await browser.get('/auth/me')).body.id as string;
    }

    it('refreshes an expired access token; the new one works at the issuer', async () => {
      const carl = await corpLogin('carl');
      const userId = await userIdOf(carl);
      // The issuer's access tokens live two seconds: wait until the stored one has really expired.
      const stored = await t.app.app
        .get(DataSource)
        .getRepository(OAuthAccountEntity)
        .findOneByOrFail({ userId, provider: 'corp' });
      await delay(Math.max(0, (stored.tokenExpiresAt as Date).getTime() - Date.now() + 50));
      const tokens = t.app.app.get(ProviderTokens);
      const refreshes = (await idp.log()).filter((e) => e.grantType === 'refresh_token').length;
      const token = await tokens.getAccessToken(userId, 'corp');
      expect((await idp.log()).filter((e) => e.grantType === 'refresh_token')).toHaveLength(refreshes + 1);
      const userinfo = await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(userinfo.status).toBe(200);
      expect(await userinfo.json()).toMatchObject({ sub: 'carl' });
    });

    it('two instances asking at once cause one refresh and get the same token', async () => {
      const carl = await corpLogin('carl');
      const userId = await userIdOf(carl);
      const second = await t.another({ extraModules: [ReconnectRecorderModule] });
      const refreshes = (await idp.log()).filter((e) => e.grantType === 'refresh_token').length;
      const [a, b] = await Promise.all([
        t.app.app.get(ProviderTokens).getAccessToken(userId, 'corp'),
        second.app.get(ProviderTokens).getAccessToken(userId, 'corp'),
      ]);
      expect(a).toBe(b);
      expect((await idp.log()).filter((e) => e.grantType === 'refresh_token')).toHaveLength(refreshes + 1);
    });

    it('invalid_grant marks the identity reconnect_required, records identity.reconnect_required once, /auth/me shows it; a new sign-in reconnects', async () => {
      const bob = await corpLogin('bob');
      const userId = await userIdOf(bob);
      await idp.disable('bob');
      const tokens = t.app.app.get(ProviderTokens);
      await expect(tokens.getAccessToken(userId, 'corp')).rejects.toBeInstanceOf(ReconnectRequiredError);
      // Asked again: refused at once, without another refresh or event.
      await expect(tokens.getAccessToken(userId, 'corp')).rejects.toBeInstanceOf(ReconnectRequiredError);
      await eventually(async () => (delivered.some((e) => e.userId === userId) ? true : undefined));
      expect(delivered.filter((e) => e.userId === userId)).toEqual([
        { identityId: expect.any(String), userId, provider: 'corp' },
      ]);
      const rows: unknown[] = await t.app.app
        .get(DataSource)
        .query(`SELECT id FROM durable_events WHERE name = '${IDENTITY_RECONNECT_REQUIRED}'`);
      expect(rows).toHaveLength(1);
      expect((await bob.get('/auth/me')).body.reconnectRequired).toEqual(['corp']);
      const listed = (await bob.get('/auth/identities')).body.identities;
      expect(listed).toEqual([expect.objectContaining({ provider: 'corp', status: 'reconnect_required' })]);

      // Signing in with the provider again reconnects the identity: fresh tokens, refreshable again.
      await idp.enable('bob');
      const again = await corpLogin('bob');
      expect((await again.get('/auth/me')).body).toMatchObject({ id: userId, reconnectRequired: [] });
      await expect(tokens.getAccessToken(userId, 'corp')).resolves.toEqual(expect.any(String));
    });
  });
});
