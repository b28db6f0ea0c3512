import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { type TestApp, startTestApp, testEngine } from '../support/app';
import { ARTIFACTS, launchBrowser, watchProblems } from '../support/browser';
import { type AuthTestEnv, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { startOidcProvider } from '../support/oidc/oidc-provider';

describe('The page at / in a real browser (chromium)', () => {
  let t: AuthTestEnv;
  let browser: Browser;

  beforeAll(async () => {
    // Besides the Google and GitHub stand-ins, a real OpenID Connect provider (oidc-provider) as `corp`.
    const corp = async (base: string): Promise<{ env: Record<string, string>; stop(): Promise<void> }> => {
      const idp = await startOidcProvider({
        clients: [
          { client_id: 'portico', client_secret: 'corp-secret', redirect_uris: [`${base}/auth/corp/callback`] },
        ],
        accounts: { olivia: { email: 'olivia@corp.test', email_verified: true, name: 'Olivia Corp' } },
      });
      return {
        env: {
          OIDC_PROVIDERS: 'corp',
          OIDC_CORP_ISSUER: idp.issuer,
          OIDC_CORP_CLIENT_ID: 'portico',
          OIDC_CORP_CLIENT_SECRET: 'corp-secret',
          OIDC_CORP_LABEL: 'Corp SSO',
        },
        stop: () => idp.stop(),
      };
    };
    [t, browser] = await Promise.all([startAuthTestEnv({}, {}, corp), launchBrowser()]);
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in with Google through the provider’s consent page, shows /auth/me with the default scopes, uploads a file and sees its link, offers no email form, and logs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${t.app.url}/`);

    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await page.waitForURL(`${t.google.url}/**`);
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL(`${t.app.url}/`);
    await page.locator('#account').waitFor({ state: 'visible' });
    expect(await page.locator('#me-email').textContent()).toBe('(ada@example.test)');
    expect(JSON.parse((await page.locator('#me').textContent()) ?? '{}')).toMatchObject({
      email: 'ada@example.test',
      emailVerified: true,
      providers: ['google'],
      scopes: ['payments:read', 'payments:write', 'emails:read', 'files:read', 'files:write'],
    });
    // The session lives in httpOnly cookies: the page's script cannot read them.
    expect(await page.evaluate('document.cookie')).toBe('');
    const cookies = await context.cookies(t.app.url);
    expect(cookies.find((c) => c.name === 'portico_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // Upload through the page (multipart POST /files with the session cookie) and get a download link.
    await page.locator('#file').setInputFiles({
      name: 'hello.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Hello from the browser test\n'),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    const link = page.locator('#download-link');
    await link.waitFor({ state: 'visible' });
    expect(await link.textContent()).toBe('Download hello.txt');
    const download = await context.request.get((await link.getAttribute('href')) as string);
    expect(download.status()).toBe(200);
    expect(await download.text()).toBe('Hello from the browser test\n');

    // Default user scopes (AUTH_USER_SCOPES) do not include emails:send: the page offers no email form.
    expect(await page.locator('#email').isHidden()).toBe(true);

    await page.screenshot({ path: join(ARTIFACTS, `auth-browser-signed-in-${testEngine()}.png`), fullPage: true });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#signin').waitFor({ state: 'visible' });
    expect(await page.locator('#account').isHidden()).toBe(true);
    expect((await context.cookies(t.app.url)).map((c) => c.name)).not.toContain('portico_session');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('signs in with the OpenID Connect provider, links GitHub, unlinks it and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${t.app.url}/`);

    // The provider signs its first account in and grants the scopes: the browser only follows redirects.
    await page.getByRole('link', { name: 'Sign in with Corp SSO' }).click();
    await page.waitForURL(`${t.app.url}/`);
    await page.locator('#account').waitFor({ state: 'visible' });
    expect(await page.locator('#me-email').textContent()).toBe('(olivia@corp.test)');
    const identities = page.locator('#identities li');
    // The page fetches the identities after showing the account: wait for the list before counting it.
    await identities.first().waitFor();
    await expect(identities.count()).resolves.toBe(1);

    await page.getByRole('link', { name: 'Link GitHub' }).click();
    await page.waitForURL(`${t.github.url}/**`);
    await page.locator('select[name="user"]').selectOption('1003');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${t.app.url}/`);
    await page.getByRole('button', { name: 'Unlink GitHub' }).waitFor();
    expect(await identities.allTextContents()).toEqual([
      expect.stringContaining('Corp SSO (olivia@corp.test)'),
      expect.stringContaining('GitHub (frank@example.test)'),
    ]);
    await page.screenshot({ path: join(ARTIFACTS, `auth-browser-linked-${testEngine()}.png`), fullPage: true });

    await page.getByRole('button', { name: 'Unlink GitHub' }).click();
    await page.getByRole('link', { name: 'Link GitHub' }).waitFor();
    expect(await identities.allTextContents()).toEqual([expect.stringContaining('Corp SSO')]);
    expect((await t.github.log()).filter((e) => e.type === 'revoke').at(-1)).toMatchObject({ ok: true });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#signin').waitFor({ state: 'visible' });
    expect((await context.cookies(t.app.url)).map((c) => c.name)).not.toContain('portico_session');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows why when the user cancels at the provider', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.app.url}/`);
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.locator('#error').waitFor({ state: 'visible' });
    expect(await page.locator('#error').textContent()).toBe('Sign-in was cancelled at the provider.');
    expect(await page.locator('#signin').isVisible()).toBe(true);
    await context.close();
  });
});

describe('The page at / with no OAuth provider configured', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('says that sign-in is not configured', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/`);
    await page.getByText('Sign-in is not configured').waitFor();
    expect(await page.getByRole('link', { name: /Sign in with/ }).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, `auth-browser-not-configured-${testEngine()}.png`) });
  });
});
