import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { REQUIRES_ADMIN } from '../admin.decorator';
import type { RequestWithPrincipal } from '../principal';
import { IS_PUBLIC } from '../public.decorator';
import { ApiKeysService } from './api-keys.service';

/**
 * Global guard: every route needs an API key (`Authorization: Bearer <key>`
 * or `X-Api-Key`) unless marked `@Public()`. `@AdminOnly()` routes also need
 * the admin scope.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return true;

    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const presented = presentedKey(req);
    if (presented === undefined) throw new UnauthorizedException('An API key is required (Authorization: Bearer <key> or X-Api-Key)');
    const principal = await this.apiKeys.authenticate(presented);
    if (principal === null) throw new UnauthorizedException('The API key is not valid');
    req.principal = principal;

    if (this.reflector.getAllAndOverride<boolean>(REQUIRES_ADMIN, targets) === true && !principal.admin) {
      throw new ForbiddenException('This route needs an API key with the admin scope');
    }
    return true;
  }
}

export function presentedKey(req: Request): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    if (match) return match[1];
  }
  return undefined;
}
