import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { ApiKeysService } from '../../src/core/security/api-keys/api-keys.service';
import { TEST_ADMIN_KEY } from '../support/api-keys';
import { testEngine } from '../support/app';
import { ARTIFACTS, launchBrowser, watchProblems } from '../support/browser';
import StripeRecordingFixtureModule, { StripeRecorder } from '../support/fixtures/stripe-recording.fixture';
import { type AuthTestEnv, startAuthTestEnv } from '../support/oauth/auth-test-env';
import { type LocalS3, startS3rver } from '../support/s3/s3rver';
import { FakeSendGrid } from '../support/sendgrid/sendgrid-fake';
import { mintUserSession, sessionCookie } from '../support/sessions';
import { StripeContractServer } from '../support/stripe/stripe-contract.server';
import { deliver, stripeEvent, stripeTestEnv } from '../support/stripe/stripe-fixtures';
import { waitFor, waitForInboxIdle } from '../support/stripe/wait';

const PROBLEM = /application\/problem\+json/;
/** The console polls every 5 s; a change must show within two polls. */
const SEEN_WITHIN_MS = 12_000;

/** The row of a console table (by its tbody id) whose text matches. */
const rowOf = (page: Page, table: string, text: string | RegExp): Locator =>
  page.locator(`#${table}-body tr`).filter({ hasText: text });

/** The cells' texts of each row of a console table. */
async function tableCells(page: Page, table: string): Promise<string[][]> {
  return page
    .locator(`#${table}-body tr`)
    .evaluateAll((rows) =>
      rows.map((row) => [...row.children].map((cell) => (cell as unknown as { innerText: string }).innerText.trim())),
    );
}

/** Waits until the table has a row whose first cell is `first` and whose cells pass `check`; returns its cells. */
async function waitForRow(
  page: Page,
  table: string,
  first: string,
  check: (cells: string[]) => boolean,
  what: string,
): Promise<string[]> {
  let found: string[] | undefined;
  await waitFor(
    async () => {
      found = (await tableCells(page, table)).find((cells) => cells[0] === first && check(cells));
      return found !== undefined;
    },
    SEEN_WITHIN_MS,
    what,
  );
  return found as string[];
}

describe('Operator console at /console (chromium)', () => {
  let t: AuthTestEnv;
  let s3: LocalS3;
  const stripe = new StripeContractServer();
  const sendgrid = new FakeSendGrid();
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const admin = { 'X-Api-Key': TEST_ADMIN_KEY };

  beforeAll(async () => {
    [s3, browser] = await Promise.all([startS3rver(), launchBrowser(), stripe.start(), sendgrid.start()]);
    t = await startAuthTestEnv(
      {
        ...s3.env,
        ...stripeTestEnv(stripe),
        SENDGRID_API_KEY: sendgrid.apiKey,
        SENDGRID_API_BASE: sendgrid.url,
        EMAIL_FROM: 'portico@example.com',
        AUTH_ADMIN_EMAILS: 'ada@example.test',
        // The breaker opens after a few failed uploads and stays open while the page is looked at.
        RESILIENCE_S3_BREAKER_COOLDOWN_MS: '60000',
        RESILIENCE_S3_BACKOFF_BASE_MS: '10',
        RESILIENCE_S3_BACKOFF_CAP_MS: '50',
      },
      { extraModules: [StripeRecordingFixtureModule] },
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    problems = watchProblems(page);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await Promise.all([s3?.dispose(), stripe.stop(), sendgrid.close()]);
  });

  it('an admin signs in and sees every provider and queue', async () => {
    await page.goto(`${t.app.url}/`);
    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${t.app.url}/`);
    await page.goto(`${t.app.url}/console`);

    await page.getByText('Signed in as ada@example.test').waitFor();
    const s3Cells = await waitForRow(page, 'providers', 's3', () => true, 'the s3 row');
    expect(s3Cells.slice(1, 3)).toEqual(['up', 'closed']);
    const providers = (await tableCells(page, 'providers')).map((cells) => cells[0]);
    expect(providers).toEqual(expect.arrayContaining(['stripe', 'sendgrid', 'google', 'github', 's3']));
    const queues = (await tableCells(page, 'queues')).map((cells) => cells[0]);
    expect(queues).toEqual(expect.arrayContaining(['stripe-events', 'emails', 'durable-events']));
    // Landmarks and labels a screen reader user navigates by.
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Console sections' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { level: 2, name: 'Providers' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Recipient').getAttribute('type')).toBe('email');
    expect(await page.getByLabel('Status').evaluate((el) => el.tagName)).toBe('SELECT');
    // The sign-in goes through the provider's consent page and back: slow on a loaded CI machine.
  }, 60_000);

  it('shows the S3 breaker open once S3 stops answering, and the overview counts the failed calls', async () => {
    await s3.stop();
    try {
      // Each upload fails (503, S3 unreachable) until the breaker opens and refuses at once.
      let detail = '';
      for (let i = 0; i < 20 && !/circuit is open/.test(detail); i++) {
        const res = await request(t.app.url)
          .post('/files')
          .set(admin)
          .attach('file', Buffer.from('hello'), { filename: 'a.txt', contentType: 'text/plain' });
        expect(res.status).toBe(503);
        detail = String(res.body.detail);
      }
      expect(detail).toMatch(/circuit is open/);
      const cells = await waitForRow(page, 'providers', 's3', (c) => c[2] === 'open', 'the s3 breaker to show open');
      expect(cells[1]).toBe('degraded');
      expect(cells[4]).toMatch(/%$/);

      // The same figures as JSON, through the admin's session cookie.
      const cookie = (await context.cookies(t.app.url)).map((c) => `${c.name}=${c.value}`).join('; ');
      const overview = await request(t.app.url).get('/admin/overview').set('Cookie', cookie).expect(200);
      const figures = overview.body.providers.find((p: { name: string }) => p.name === 's3');
      expect(figures).toMatchObject({ readiness: 'degraded', breaker: 'open' });
      expect(figures.errorsTotal).toBeGreaterThanOrEqual(1);
      expect(figures.callsTotal).toBeGreaterThanOrEqual(figures.errorsTotal);
      expect(figures.errorRate).toBeGreaterThan(0);
      expect(figures.p95Ms).toEqual(expect.any(Number));
      expect(overview.body.queues.map((q: { name: string }) => q.name)).toEqual(
        expect.arrayContaining(['stripe-events', 'emails', 'durable-events']),
      );
    } finally {
      await s3.restart();
    }
  });

  it('replays a dead Stripe event from the dead letters and shows it processed', async () => {
    const recorder = t.app.app.get(StripeRecorder);
    recorder.failPermanently.add('product.updated');
    const event = stripeEvent(
      'product.updated',
      { id: 'prod_console', object: 'product' },
      Math.floor(Date.now() / 1000),
    );
    expect((await deliver(t.app.url, JSON.stringify(event))).status).toBe(200);
    await waitForInboxIdle(t.app);

    const dead = rowOf(page, 'dead-letters', event.id);
    await dead.waitFor({ timeout: SEEN_WITHIN_MS });
    expect(await dead.innerText()).toMatch(/stripe-events[\s\S]*recorder refuses product\.updated/);
    await waitForRow(page, 'stripe-events', event.id, (c) => c[2] === 'dead', 'the event to show dead');
    await page.screenshot({ path: join(ARTIFACTS, `console-1280-${testEngine()}.png`), fullPage: true });

    recorder.failPermanently.delete('product.updated');
    await dead.getByRole('button', { name: /^Replay stripe-events row/ }).click();
    await waitForRow(page, 'stripe-events', event.id, (c) => c[2] === 'done', 'the replayed event to show done');
    await dead.waitFor({ state: 'detached', timeout: SEEN_WITHIN_MS });
    expect(recorder.handled.get(event.id)).toBe(1);
  });

  it('finds a failed email by recipient and status, retries it and shows its history', async () => {
    sendgrid.answer({
      status: 400,
      errors: [{ message: 'The from address does not match a verified Sender Identity.' }],
    });
    const queued = await request(t.app.url)
      .post('/emails')
      .set(admin)
      .send({ to: ['grace@retry.test'], subject: 'Console retry', text: 'Hello' })
      .expect(202);
    await waitFor(
      async () =>
        (
          await request(t.app.url)
            .get(`/emails/${queued.body.id as string}`)
            .set(admin)
        ).body.status === 'failed',
      10_000,
      'the email to fail',
    );

    await page.getByLabel('Recipient').fill('grace@retry.test');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = rowOf(page, 'emails', 'grace@retry.test');
    await waitForRow(page, 'emails', 'grace@retry.test', (c) => c[2] === 'failed', 'the failed email');
    await row.getByRole('button', { name: /^Retry the email/ }).click();

    await page.getByLabel('Status').selectOption('');
    await page.getByRole('button', { name: 'Search' }).click();
    await waitForRow(page, 'emails', 'grace@retry.test', (c) => c[2] === 'sent', 'the retried email to show sent');
    expect(sendgrid.requests.filter((r) => r.status === 202)).toHaveLength(1);

    await row.getByRole('button', { name: /^History of the email/ }).click();
    const history = page.locator('#email-history-list');
    await history.getByText(/sent/).waitFor();
    expect(await history.innerText()).toMatch(/queued[\s\S]*failed[\s\S]*queued[\s\S]*sent/);
    // The history heading takes the focus, so keyboard users land on what they opened.
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('email-history-h');
  });

  it('revokes an API key; the key then gets 401', async () => {
    const { key } = await t.app.app.get(ApiKeysService).create('console-victim', { scopes: ['payments:read'] });
    await request(t.app.url).get('/payments').set('X-Api-Key', key).expect(200);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await waitForRow(page, 'api-keys', 'console-victim', () => true, 'the new key');
    const row = rowOf(page, 'api-keys', 'console-victim');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Revoke API key console-victim' }).click();
    await waitForRow(page, 'api-keys', 'console-victim', (c) => c[5].startsWith('revoked'), 'the key to show revoked');
    await request(t.app.url).get('/payments').set('X-Api-Key', key).expect(401);

    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('heading', { name: 'Providers' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, `console-375-${testEngine()}.png`), fullPage: true });
    // Phone width: no horizontal scrolling of the page.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(problems).toEqual([]);
  });

  it('refuses the console’s data to a signed-in user without the admin scope (403) and says why on the page', async () => {
    const erin = sessionCookie(await mintUserSession(t.app.app, 'erin@example.test'));
    const origin = { Cookie: erin, Origin: t.app.url };
    for (const path of [
      '/admin/overview',
      '/admin/dead-letters',
      '/admin/webhooks/stripe/events',
      '/admin/emails',
      '/admin/api-keys',
      '/admin/users',
    ]) {
      const res = await request(t.app.url).get(path).set(origin);
      expect([path, res.status, res.body.missingScopes]).toEqual([path, 403, ['admin']]);
      expect(res.headers['content-type']).toMatch(PROBLEM);
    }
    const replay = await request(t.app.url)
      .post('/admin/dead-letters/stripe-events/01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70/replay')
      .set(origin);
    expect(replay.status).toBe(403);

    const other = await browser.newContext();
    const [name, value] = erin.split('=');
    await other.addCookies([{ name, value, url: t.app.url, httpOnly: true, sameSite: 'Lax' }]);
    const erinPage = await other.newPage();
    await erinPage.goto(`${t.app.url}/console`);
    await erinPage.getByText('Your account does not have the admin scope').waitFor();
    expect(await erinPage.locator('#panels').isHidden()).toBe(true);
    await other.close();
  });

  it('answers bad input on the dead-letter routes with problem+json', async () => {
    const bad = await request(t.app.url).get('/admin/dead-letters?limit=0').set(admin).expect(400);
    expect(bad.headers['content-type']).toMatch(PROBLEM);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'limit' })]);
    await request(t.app.url).get('/admin/dead-letters?queue=Not%20a%20queue').set(admin).expect(400);
    const missing = await request(t.app.url).get('/admin/dead-letters?queue=nope').set(admin).expect(404);
    expect(missing.body.detail).toBe('There is no durable queue nope');
    await request(t.app.url).post('/admin/dead-letters/stripe-events/not-an-id/replay').set(admin).expect(400);
    await request(t.app.url)
      .post('/admin/dead-letters/stripe-events/01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70/replay')
      .set(admin)
      .expect(404);
    const elsewhere = await request(t.app.url)
      .post('/admin/dead-letters/emails/01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70/replay')
      .set(admin)
      .expect(409);
    expect(elsewhere.body.replayPath).toBe('/admin/emails/01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70/retry');
  });
});
