import { type ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { REQUIRES_ADMIN } from './admin.decorator';
import type { ApiKeysService } from './api-keys/api-keys.service';
import { AuthenticationGuard } from './authentication.guard';
import type { ApiKeyPrincipal, RequestWithPrincipal, UserPrincipal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import type { SessionVerifier } from './session-verifier.port';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';
const USER: UserPrincipal = { kind: 'user', id: 'u1', admin: false, sessionId: 's1' };
const KEY: ApiKeyPrincipal = { kind: 'api_key', id: 'k1', name: 'ci', admin: false };
const ADMIN: ApiKeyPrincipal = { kind: 'api_key', id: 'k2', name: 'ops', admin: true };

function context(
  headers: Record<string, string>,
  cookie?: string,
  meta: Record<string, boolean> = {},
): { ctx: ExecutionContext; req: Request & RequestWithPrincipal } {
  const req = { headers, cookies: cookie === undefined ? {} : { portico_session: cookie } } as unknown as Request &
    RequestWithPrincipal;
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
  const sut = new AuthenticationGuard(new Reflector(), apiKeys, sessions);

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

  it('keeps @AdminOnly() to admin keys: users and ordinary keys get 403', async () => {
    await expect(
      sut.canActivate(context({ authorization: `Bearer ${JWT}` }, undefined, { [REQUIRES_ADMIN]: true }).ctx),
    ).rejects.toBeInstanceOf(ForbiddenException);
    await expect(
      sut.canActivate(context({ 'x-api-key': 'pk_good' }, undefined, { [REQUIRES_ADMIN]: true }).ctx),
    ).rejects.toBeInstanceOf(ForbiddenException);
    await expect(
      sut.canActivate(context({ 'x-api-key': 'pk_admin' }, undefined, { [REQUIRES_ADMIN]: true }).ctx),
    ).resolves.toBe(true);
  });

  it('accepts only API keys when no session verifier is provided', async () => {
    const keysOnly = new AuthenticationGuard(new Reflector(), apiKeys);
    await expect(keysOnly.canActivate(context({}, JWT).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(keysOnly.canActivate(context({ 'x-api-key': 'pk_good' }).ctx)).resolves.toBe(true);
  });
});
