import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';

/** Screenshots and other artefacts of browser tests (git-ignored). */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-results');

/** Headless Debian chromium, without anything that talks to the network on its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
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

/**
 * Collects what the page would show a developer in the console as a problem: CSP violations, script errors, and
 * 4xx/5xx answers other than the expected ones (signed out, /auth/me answers 401 and the page tries one refresh;
 * browsers always ask for a favicon).
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    // Failed loads are judged below by URL and status.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (res) => {
    const url = new URL(res.url());
    const expected =
      (res.status() === 401 && ['/auth/me', '/auth/refresh'].includes(url.pathname)) || url.pathname === '/favicon.ico';
    if (res.status() >= 400 && !expected) problems.push(`${res.status()} ${url.pathname}`);
  });
  return problems;
}
