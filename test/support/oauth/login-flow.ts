import request from 'supertest';
import { CookieJar } from './cookie-jar';

/**
 * A browser stand-in for e2e tests: talks to the app with its own cookie
 * jar and follows the login redirects by hand, one step at a time, so
 * tests can tamper with any step.
 */
export class LoginBrowser {
  readonly jar = new CookieJar();

  constructor(readonly appUrl: string) {}

  /** GET on the app with this browser's cookies; applies Set-Cookie. */
  async get(pathAndQuery: string): Promise<request.Response> {
    const res = await request(this.appUrl)
      .get(pathAndQuery)
      .set('Cookie', this.jar.header(pathOf(pathAndQuery)));
    this.jar.apply(res.headers['set-cookie']);
    return res;
  }

  /**
   * POST with this browser's cookies. Like a browser running the app's own
   * page, it sends `Origin: <app>` unless `headers` say otherwise (pass
   * another `Origin` to act as a cross-site page).
   */
  async post(path: string, body?: object, headers: Record<string, string> = {}): Promise<request.Response> {
    const req = request(this.appUrl)
      .post(path)
      .set('Cookie', this.jar.header(pathOf(path)))
      .set({ Origin: this.appUrl, ...headers });
    const res = await (body === undefined ? req : req.send(body));
    this.jar.apply(res.headers['set-cookie']);
    return res;
  }

  /** DELETE with this browser's cookies, from the app's own page (`Origin: <app>`). */
  async delete(path: string): Promise<request.Response> {
    const res = await request(this.appUrl)
      .delete(path)
      .set('Cookie', this.jar.header(pathOf(path)))
      .set({ Origin: this.appUrl });
    this.jar.apply(res.headers['set-cookie']);
    return res;
  }

  /** `GET /auth/<provider>`: expects the redirect to the provider and returns its URL. */
  async start(provider: string, returnTo?: string): Promise<URL> {
    const res = await this.get(
      `/auth/${provider}${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`,
    );
    if (res.status !== 302) throw new Error(`expected 302 from /auth/${provider}, got ${res.status}: ${res.text}`);
    return new URL(res.headers.location);
  }

  /** The URL of the app's own callback path (for replaying callbacks). */
  callbackPath(callback: URL): string {
    return `${callback.pathname}${callback.search}`;
  }

  /** Follows the provider's redirect back to the app; returns the app's answer. */
  async callback(callback: URL): Promise<request.Response> {
    return this.get(this.callbackPath(callback));
  }

  /** A full login through the provider's consent as `userId`; returns the final redirect target. */
  async login(provider: string, userId?: string, returnTo?: string): Promise<string> {
    const authorize = await this.start(provider, returnTo);
    const back = await consent(authorize, { user: userId, decision: 'allow' });
    const res = await this.callback(back);
    if (res.status !== 302) throw new Error(`expected 302 from the callback, got ${res.status}: ${res.text}`);
    return res.headers.location;
  }
}

/**
 * Goes through the stand-in provider's consent page: loads it (the provider
 * validates the authorization request), then submits Allow or Deny. Returns
 * where the provider redirects (the app's callback URL with code or error).
 */
export async function consent(authorize: URL, choice: { user?: string; decision: 'allow' | 'deny' }): Promise<URL> {
  const pageRes = await request(authorize.origin).get(`${authorize.pathname}${authorize.search}`);
  if (pageRes.status === 302) return new URL(pageRes.headers.location);
  if (pageRes.status !== 200) throw new Error(`consent page answered ${pageRes.status}: ${pageRes.text}`);
  const tx = /name="tx" value="([^"]+)"/.exec(pageRes.text)?.[1];
  if (tx === undefined) throw new Error('no transaction on the consent page');
  const userId = choice.user ?? /<option value="([^"]+)" selected/.exec(pageRes.text)?.[1] ?? '';
  const res = await request(authorize.origin)
    .post('/consent')
    .type('form')
    .send({ tx, user: userId, decision: choice.decision });
  if (res.status !== 302) throw new Error(`consent answered ${res.status}: ${res.text}`);
  return new URL(res.headers.location);
}

function pathOf(pathAndQuery: string): string {
  return pathAndQuery.split('?')[0];
}
