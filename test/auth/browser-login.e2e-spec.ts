import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type TestApp, startTestApp, testEngine } from '../support/app';
import { type AuthTestEnv, startAuthTestEnv } from '../support/oauth/auth-test-env';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-results');

/** Headless Debian chromium, without anything that talks to the network on its own. */
async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** Collects what the page would show a developer in the console as a problem (CSP violations, script errors). */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    // Failed loads are judged below by URL and status.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (res) => {
    const url = new URL(res.url());
    // Signed out, /auth/me answers 401 and the page tries one refresh: expected. Browsers always ask for a favicon.
    const expected =
      (res.status() === 401 && ['/auth/me', '/auth/refresh'].includes(url.pathname)) || url.pathname === '/favicon.ico';
    if (res.status() >= 400 && !expected) problems.push(`${res.status()} ${url.pathname}`);
  });
  return problems;
}

describe('The page at / in a real browser (chromium)', () => {
  let t: AuthTestEnv;
  let browser: Browser;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startAuthTestEnv(), launch()]);
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in with Google through the provider’s consent page, shows /auth/me, uploads a file and sees its link, queues an email, and logs out', async () => {
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

    // Queue a test email (POST /emails with the session cookie): 202 and its id.
    await page.getByRole('button', { name: 'Queue email' }).click();
    await page
      .locator('#email-result')
      .getByText(/^Queued as [0-9a-f-]{36}\.$/)
      .waitFor();

    await page.screenshot({ path: join(ARTIFACTS, `auth-browser-signed-in-${testEngine()}.png`), fullPage: true });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#signin').waitFor({ state: 'visible' });
    expect(await page.locator('#account').isHidden()).toBe(true);
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
    [app, browser] = await Promise.all([startTestApp(), launch()]);
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
