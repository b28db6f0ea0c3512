import { DataSource } from 'typeorm';
import { type AuthTestEnv, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { LoginBrowser } from '../support/oauth/login-flow';

/** Who may become a user: AUTH_SIGNUP=allowlist with allowed domains and addresses. */
describe('Sign-up policy: allowlist by domain and address; refused logins create nothing', () => {
  let t: AuthTestEnv;

  beforeAll(async () => {
    t = await startAuthTestEnv({
      AUTH_SIGNUP: 'allowlist',
      AUTH_ALLOWED_EMAIL_DOMAINS: 'corp.test',
      AUTH_ALLOWED_EMAILS: 'ada@example.test',
    });
  }, 60_000);
  afterAll(async () => t?.close());

  const count = async (table: string): Promise<number> => {
    const rows: Array<{ n: number | string }> = await t.app.app
      .get(DataSource)
      .query(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(rows[0].n);
  };
  const login = async (user: string): Promise<{ error: string | null; signedIn: boolean }> => {
    const browser = new LoginBrowser(t.app.url);
    const target = new URL(await browser.login('google', user), t.app.url);
    return { error: target.searchParams.get('error'), signedIn: browser.jar.get('portico_session') !== undefined };
  };

  it('refuses a sign-up from a domain that is not allowed: error=signup_not_allowed, no user, no session', async () => {
    expect(await login('g-erin')).toEqual({ error: 'signup_not_allowed', signedIn: false });
    expect(await count('users')).toBe(0);
    expect(await count('oauth_accounts')).toBe(0);
    expect(await count('auth_sessions')).toBe(0);
  });

  it('refuses an unverified address on an allowed domain', async () => {
    expect(await login('g-mallory')).toEqual({ error: 'signup_not_allowed', signedIn: false });
    expect(await count('users')).toBe(0);
  });

  it('admits a verified address on an allowed domain, and a listed address', async () => {
    expect(await login('g-grace')).toEqual({ error: null, signedIn: true });
    expect(await login('g-ada')).toEqual({ error: null, signedIn: true });
    expect(await count('users')).toBe(2);
  });
});
