import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException } from '../errors/problem.exception';
import { ApiKeysService } from './api-keys/api-keys.service';
import { bearerValue, presentedKey } from './api-keys/presented-key';
import type { Principal, RequestWithPrincipal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPES } from './require-scopes.decorator';
import { SameOriginPolicy } from './same-origin.policy';
import { type Scope, grants } from './scopes';
import { SessionVerifier } from './session-verifier.port';

/** What a route that declares nothing needs: fail closed (the route walk in tests keeps this from happening). */
const UNDECLARED: readonly Scope[] = ['admin'];

/**
 * The one global guard. Every route needs a caller unless marked `@Public()`:
 * a signed-in user (session token in `Authorization: Bearer` or the session
 * cookie) or an API key (`Authorization: Bearer <key>` or `X-Api-Key`).
 * A Bearer value shaped like a session token is checked only as one.
 * Then: a state-changing request authenticated by the cookie must come from
 * one of our origins (CSRF), and the caller must hold the route's scopes
 * (`@RequireScopes`); each refusal is a 403 problem saying why.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly origins: SameOriginPolicy,
    @Optional() @Inject(SessionVerifier) private readonly sessions?: SessionVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return true;

    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const { principal, viaCookie } = await this.authenticate(req);
    req.principal = principal;
    if (viaCookie && this.origins.isStateChanging(req)) this.origins.assertAllowed(req);
    const needed = this.reflector.getAllAndOverride<readonly Scope[] | undefined>(REQUIRED_SCOPES, targets);
    const missing = (needed ?? UNDECLARED).filter((scope) => !grants(principal.scopes, scope));
    if (missing.length > 0) throw insufficientScope(missing);
    return true;
  }

  private async authenticate(req: Request): Promise<{ principal: Principal; viaCookie: boolean }> {
    const bearer = bearerValue(req);
    if (bearer !== undefined && this.sessions?.looksLikeSessionToken(bearer)) {
      return { principal: await this.session(bearer), viaCookie: false };
    }
    const key = presentedKey(req);
    if (key !== undefined) {
      const principal = await this.apiKeys.authenticate(key);
      if (principal === null) throw new UnauthorizedException('The API key is not valid');
      return { principal, viaCookie: false };
    }
    const cookie = this.sessions?.tokenFromCookie(req);
    if (cookie !== undefined) return { principal: await this.session(cookie), viaCookie: true };
    throw new UnauthorizedException('Sign in, or present an API key (Authorization: Bearer <key> or X-Api-Key)');
  }

  private async session(token: string): Promise<Principal> {
    const user = await this.sessions?.verify(token);
    if (user === null || user === undefined)
      throw new UnauthorizedException('The session is not valid or has expired; refresh it or sign in again');
    return user;
  }
}

function insufficientScope(missing: readonly Scope[]): ProblemException {
  const names = missing.map((scope) => `"${scope}"`).join(', ');
  return new ProblemException(403, `This route needs the ${names} scope${missing.length > 1 ? 's' : ''}`, {
    slug: 'insufficient-scope',
    title: 'Insufficient scope',
    extensions: { missingScopes: missing },
  });
}
