import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { AeadBox } from '../sessions/aead-box';
import type { SessionCookies } from '../sessions/session-cookies';
import { CookieStateStore, type StateFailure } from './cookie-state.store';
import type { LoginStatesService } from './login-states.service';

/** Pending states in memory, with the same use-once semantics as the table. */
function memoryStates(): LoginStatesService {
  const pending = new Set<string>();
  return {
    issue: async (state: string) => void pending.add(state),
    consume: async (state: string) => pending.delete(state),
  } as unknown as LoginStatesService;
}

function fakeExchange(cookies: Record<string, string> = {}): { req: Request; set: Record<string, string> } {
  const set: Record<string, string> = {};
  const res = {
    cookie: (name: string, value: string) => void (set[name] = value),
    clearCookie: (name: string) => void (set[name] = ''),
  } as unknown as Response;
  const req = { cookies, res, secure: false } as unknown as Request;
  return { req, set };
}

describe(CookieStateStore.name, () => {
  const cookies = { base: () => ({ httpOnly: true, sameSite: 'lax', path: '/auth' }) } as unknown as SessionCookies;
  const box = new AeadBox(randomBytes(32));
  let sut: CookieStateStore;

  beforeEach(() => {
    sut = new CookieStateStore('google', { box, cookies, states: memoryStates(), ttlSeconds: 600 });
  });
  afterEach(() => jest.useRealTimers());

  async function start(): Promise<{ state: string; cookie: string }> {
    const { req, set } = fakeExchange();
    const state = await new Promise<string>((resolve, reject) =>
      sut.store(req, 'verifier-123', { returnTo: '/x' }, {}, (err, s) => (err ? reject(err) : resolve(s as string))),
    );
    return { state, cookie: set.portico_oauth_google };
  }

  function verify(cookie: string | undefined, state: unknown): Promise<{ ok: string | false; info: unknown }> {
    const { req } = fakeExchange(cookie === undefined ? {} : { portico_oauth_google: cookie });
    return new Promise((resolve) => sut.verify(req, state, {}, (_err, ok, info) => resolve({ ok, info })));
  }

  it('hands back the PKCE verifier and returnTo for the matching state, once', async () => {
    const { state, cookie } = await start();
    expect(await verify(cookie, state)).toEqual({ ok: 'verifier-123', info: { returnTo: '/x' } });
    expect((await verify(cookie, state)).info).toMatchObject({ code: 'state_reused' });
  });

  it('refuses an expired login (10 minutes)', async () => {
    const { state, cookie } = await start();
    jest.useFakeTimers({ now: Date.now() + 601_000 });
    const { ok, info } = await verify(cookie, state);
    expect(ok).toBe(false);
    expect((info as StateFailure).code).toBe('state_expired');
  });

  it('refuses a missing, forged or other-provider cookie, and a wrong state', async () => {
    const { state, cookie } = await start();
    expect(((await verify(undefined, state)).info as StateFailure).code).toBe('state_missing');
    expect(((await verify(`${cookie}x`, state)).info as StateFailure).code).toBe('state_invalid');
    const github = new CookieStateStore('github', { box, cookies, states: memoryStates(), ttlSeconds: 600 });
    const { req } = fakeExchange({ portico_oauth_github: cookie });
    const info = await new Promise((resolve) => github.verify(req, state, {}, (_e, _ok, i) => resolve(i)));
    expect((info as StateFailure).code).toBe('state_invalid');
    expect(((await verify(cookie, `${state}x`)).info as StateFailure).code).toBe('state_mismatch');
    expect(((await verify(cookie, undefined)).info as StateFailure).code).toBe('state_mismatch');
  });

  it('keeps the verifier out of the cookie’s readable bytes', async () => {
    const { cookie } = await start();
    expect(Buffer.from(cookie.slice(3), 'base64url').toString('latin1')).not.toContain('verifier-123');
  });
});
