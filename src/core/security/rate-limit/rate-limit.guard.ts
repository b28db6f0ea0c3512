import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { limitsConfig } from '../../../config/limits.config';
import { ProblemException } from '../../errors/problem.exception';
import { ownerIdOf, type RequestWithPrincipal } from '../principal';
import { InboundRateLimiter } from './inbound-rate-limiter';
import { rateLimitHeaders } from './rate-limit-headers';
import { SKIP_RATE_LIMIT } from './skip-rate-limit.decorator';

/**
 * Global guard registered right after `AuthenticationGuard` (it reads the
 * principal that guard set): an authenticated request spends its caller's
 * budget, any other request reaching a route (the `@Public()` ones) its
 * client IP's (`req.ip`, i.e. after TRUST_PROXY). `@SkipRateLimit()` routes
 * spend nothing. Over budget → 429 problem+json with `Retry-After` and the
 * `RateLimit-Policy` / `RateLimit` headers, which every limited answer carries.
 *
 * Kept apart from the identity guard so either can change alone; folding it
 * in means calling `check(req, res)` after the principal is known.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: InboundRateLimiter,
    @Inject(limitsConfig.KEY) config: ConfigType<typeof limitsConfig>,
  ) {
    this.enabled = config.rateLimitEnabled;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.enabled || context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [context.getHandler(), context.getClass()]))
      return true;
    const http = context.switchToHttp();
    await this.check(http.getRequest<Request & RequestWithPrincipal>(), http.getResponse<Response>());
    return true;
  }

  /** @throws ProblemException 429 when the request's budget is spent. */
  async check(req: Request & RequestWithPrincipal, res: Response): Promise<void> {
    const decision =
      req.principal === undefined
        ? await this.limiter.take('anonymous', req.ip ?? req.socket.remoteAddress ?? 'unknown')
        : await this.limiter.take('caller', ownerIdOf(req.principal));
    const headers = rateLimitHeaders(decision);
    if (decision.allowed) {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      return;
    }
    const retryAfter = Math.max(1, Math.ceil(decision.resetMs / 1000));
    throw new ProblemException(
      429,
      `Too many requests: ${decision.quota} per ${decision.windowSeconds} s ${decision.policy === 'caller' ? 'per caller' : 'per client address'}; try again in ${retryAfter} s`,
      {
        slug: 'rate-limited',
        title: 'Too Many Requests',
        extensions: { limit: decision.quota, windowSeconds: decision.windowSeconds },
        headers: { ...headers, 'Retry-After': String(retryAfter) },
      },
    );
  }
}
