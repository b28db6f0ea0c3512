import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { REQUIRES_ADMIN } from './admin.decorator';
import { ApiKeysService } from './api-keys/api-keys.service';
import { bearerValue, presentedKey } from './api-keys/presented-key';
import type { Principal, RequestWithPrincipal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { SessionVerifier } from './session-verifier.port';

/**
 * The one global guard. Every route needs a caller unless marked `@Public()`:
 * a signed-in user (session token in `Authorization: Bearer` or the session
 * cookie) or an API key (`Authorization: Bearer <key>` or `X-Api-Key`).
 * A Bearer value shaped like a session token is checked only as one.
 * `@AdminOnly()` routes need an API key with the admin scope.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    @Optional() @Inject(SessionVerifier) private readonly sessions?: SessionVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return true;

    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const principal = await this.authenticate(req);
    req.principal = principal;
    if (this.reflector.getAllAndOverride<boolean>(REQUIRES_ADMIN, targets) === true && !principal.admin) {
      throw new ForbiddenException('This route needs an API key with the admin scope');
    }
    return true;
  }

  private async authenticate(req: Request): Promise<Principal> {
    const bearer = bearerValue(req);
    if (bearer !== undefined && this.sessions?.looksLikeSessionToken(bearer)) return this.session(bearer);
    const key = presentedKey(req);
    if (key !== undefined) {
      const principal = await this.apiKeys.authenticate(key);
      if (principal === null) throw new UnauthorizedException('The API key is not valid');
      return principal;
    }
    const cookie = this.sessions?.tokenFromCookie(req);
    if (cookie !== undefined) return this.session(cookie);
    throw new UnauthorizedException('Sign in, or present an API key (Authorization: Bearer <key> or X-Api-Key)');
  }

  private async session(token: string): Promise<Principal> {
    const user = await this.sessions?.verify(token);
    if (user === null || user === undefined)
      throw new UnauthorizedException('The session is not valid or has expired; refresh it or sign in again');
    return user;
  }
}
