import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException } from '../errors/problem.exception';
import type { ApiKeysService } from './api-keys/api-keys.service';
import { AuthenticationGuard } from './authentication.guard';
import type { ApiKeyPrincipal, RequestWithPrincipal, UserPrincipal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPES } from './require-scopes.decorator';
import { SameOriginPolicy } from './same-origin.policy';
import { DEFAULT_USER_SCOPES, NON_ADMIN_SCOPES } from './scopes';
import type { SessionVerifier } from './session-verifier.port';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';
const USER: UserPrincipal = { kind: 'user', id: 'u1', admin: false, scopes: DEFAULT_USER_SCOPES, sessionId: 's1' };
const KEY: ApiKeyPrincipal = { kind: 'api_key', id: 'k1', name: 'ci', admin: false, scopes: NON_ADMIN_SCOPES };
const ADMIN: ApiKeyPrincipal = { kind: 'api_key', id: 'k2', name: 'ops', admin: true, scopes: ['admin'] };
const ANY_CALLER = { [REQUIRED_SCOPES]: [] };
const ADMIN_ONLY = { [REQUIRED_SCOPES]: ['admin'] };

function context(
  headers: Record<string, string>,
  cookie?: string,
  meta: Record<string, unknown> = ANY_CALLER,
  method = 'GET',
): { ctx: ExecutionContext; req: Request & RequestWithPrincipal } {
  const req = {
    method,
    headers,
    cookies: cookie === undefined ? {} : { portico_session: cookie },
  } as unknown as Request & RequestWithPrincipal;
  const handler = (): void => undefined;
  for (const [key, value] of Object.entries(meta)) Reflect.defineMetadata(key, value, handler);
  const ctx = {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => class Fixture {},
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

describe(AuthenticationGuard.name, () => {
  const apiKeys = {
    authenticate: jest.fn(async (key: string) => (key === 'pk_good' ? KEY : key === 'pk_admin' ? ADMIN : null)),
  } as unknown as ApiKeysService;
  const sessions: SessionVerifier = {
    looksLikeSessionToken: (value) => value.startsWith('eyJ'),
    tokenFromCookie: (req) => (req.cookies as Record<string, string>).portico_session,
    verify: jest.fn(async (token: string) => (token === JWT ? USER : null)),
  };
  const origins = new SameOriginPolicy(
    { publicUrl: 'https://api.example.test' } as never,
    { redirectAllowlist: ['https://app.example.test'] } as never,
  );
  const sut = new AuthenticationGuard(new Reflector(), apiKeys, origins, sessions);

  it('lets @Public() routes through without credentials', async () => {
    await expect(sut.canActivate(context({}, undefined, { [IS_PUBLIC]: true }).ctx)).resolves.toBe(true);
  });

  it('accepts a session token as Bearer and sets the user principal', async () => {
    const { ctx, req } = context({ authorization: `Bearer ${JWT}` });
    await expect(sut.canActivate(ctx)).resolves.toBe(true);
    expect(req.principal).toEqual(USER);
  });

  it('accepts the session cookie', async () => {
    const { ctx, req } = context({}, JWT);
    await sut.canActivate(ctx);
    expect(req.principal).toEqual(USER);
  });

  it('accepts API keys as Bearer or X-Api-Key', async () => {
    const variants: Array<Record<string, string>> = [{ authorization: 'Bearer pk_good' }, { 'x-api-key': 'pk_good' }];
    for (const headers of variants) {
      const { ctx, req } = context(headers);
      await sut.canActivate(ctx);
      expect(req.principal).toEqual(KEY);
    }
  });

  it('never tries a JWT-shaped Bearer value as an API key', async () => {
    (apiKeys.authenticate as jest.Mock).mockClear();
    await expect(sut.canActivate(context({ authorization: 'Bearer eyJ.bad.token' }).ctx)).rejects.toThrow(
      /session is not valid/,
    );
    expect(apiKeys.authenticate).not.toHaveBeenCalled();
  });

  it('lets an explicit credential win over the cookie, and refuses a bad one', async () => {
    await expect(sut.canActivate(context({ authorization: 'Bearer pk_wrong' }, JWT).ctx)).rejects.toThrow(
      'The API key is not valid',
    );
  });

  it('refuses anonymous calls and bad cookies with 401', async () => {
    await expect(sut.canActivate(context({}).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(sut.canActivate(context({}, 'eyJ.forged.x').ctx)).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('keeps admin routes to the admin scope: users and ordinary keys get 403', async () => {
    await expect(
      sut.canActivate(context({ authorization: `Bearer ${JWT}` }, undefined, ADMIN_ONLY).ctx),
    ).rejects.toBeInstanceOf(ProblemException);
    await expect(sut.canActivate(context({ 'x-api-key': 'pk_good' }, undefined, ADMIN_ONLY).ctx)).rejects.toThrow(
      'This route needs the "admin" scope',
    );
    await expect(sut.canActivate(context({ 'x-api-key': 'pk_admin' }, undefined, ADMIN_ONLY).ctx)).resolves.toBe(true);
  });

  it('refuses a caller without the route’s scope with 403 naming it; admin holds every scope', async () => {
    const refunds = { [REQUIRED_SCOPES]: ['payments:manage'] };
    const refused = sut.canActivate(context({ authorization: `Bearer ${JWT}` }, undefined, refunds).ctx);
    await expect(refused).rejects.toMatchObject({
      status: 403,
      message: 'This route needs the "payments:manage" scope',
      problem: { slug: 'insufficient-scope', extensions: { missingScopes: ['payments:manage'] } },
    });
    await expect(sut.canActivate(context({ 'x-api-key': 'pk_good' }, undefined, refunds).ctx)).resolves.toBe(true);
    await expect(sut.canActivate(context({ 'x-api-key': 'pk_admin' }, undefined, refunds).ctx)).resolves.toBe(true);
  });

  it('fails closed: a route that declares nothing is for admins only', async () => {
    await expect(sut.canActivate(context({ 'x-api-key': 'pk_good' }, undefined, {}).ctx)).rejects.toThrow(
      /"admin" scope/,
    );
    await expect(sut.canActivate(context({ 'x-api-key': 'pk_admin' }, undefined, {}).ctx)).resolves.toBe(true);
  });

  describe('CSRF: cookie-authenticated writes must come from our origins', () => {
    const post = (headers: Record<string, string>, cookie?: string): ExecutionContext =>
      context(headers, cookie, ANY_CALLER, 'POST').ctx;

    it('refuses a cookie POST from another origin, or with no origin information at all', async () => {
      await expect(sut.canActivate(post({ origin: 'https://evil.test' }, JWT))).rejects.toMatchObject({
        status: 403,
        problem: { slug: 'cross-origin-request' },
      });
      await expect(sut.canActivate(post({ origin: 'null' }, JWT))).rejects.toMatchObject({ status: 403 });
      await expect(sut.canActivate(post({ 'sec-fetch-site': 'cross-site' }, JWT))).rejects.toMatchObject({
        status: 403,
      });
      await expect(sut.canActivate(post({}, JWT))).rejects.toMatchObject({ status: 403 });
    });

    it('accepts PUBLIC_URL, the redirect allowlist, and Sec-Fetch-Site same-origin or none', async () => {
      await expect(sut.canActivate(post({ origin: 'https://api.example.test' }, JWT))).resolves.toBe(true);
      await expect(sut.canActivate(post({ origin: 'https://app.example.test' }, JWT))).resolves.toBe(true);
      await expect(sut.canActivate(post({ 'sec-fetch-site': 'same-origin' }, JWT))).resolves.toBe(true);
      await expect(sut.canActivate(post({ 'sec-fetch-site': 'none' }, JWT))).resolves.toBe(true);
    });

    it('leaves reads, API keys and Bearer tokens alone', async () => {
      const read = context({ origin: 'https://evil.test' }, JWT, ANY_CALLER, 'GET').ctx;
      await expect(sut.canActivate(read)).resolves.toBe(true);
      await expect(sut.canActivate(post({ origin: 'https://evil.test', 'x-api-key': 'pk_good' }))).resolves.toBe(true);
      await expect(
        sut.canActivate(post({ origin: 'https://evil.test', authorization: `Bearer ${JWT}` })),
      ).resolves.toBe(true);
    });
  });

  it('accepts only API keys when no session verifier is provided', async () => {
    const keysOnly = new AuthenticationGuard(new Reflector(), apiKeys, origins);
    await expect(keysOnly.canActivate(context({}, JWT).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(keysOnly.canActivate(context({ 'x-api-key': 'pk_good' }).ctx)).resolves.toBe(true);
  });
});
