import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type Redis from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { limitsConfig } from '../../../config/limits.config';
import { RATE_LIMIT_REDIS } from '../../resilience/resilience.constants';
import type { BudgetState } from './rate-limit-headers';

export type BudgetKind = 'caller' | 'anonymous';

export interface BudgetDecision extends BudgetState {
  readonly allowed: boolean;
}

const WINDOW_SECONDS = 60;

/**
 * Inbound request budgets: RATE_LIMIT_PER_MINUTE per authenticated caller
 * (API key or user) and RATE_LIMIT_ANONYMOUS_PER_MINUTE per client IP on
 * public routes. Fixed one-minute windows in rate-limiter-flexible, kept in
 * Redis when REDIS_URL is set so every instance draws from one budget (with
 * an in-memory insurance limiter per instance while Redis is unreachable).
 */
@Injectable()
export class InboundRateLimiter {
  private readonly logger = new Logger(InboundRateLimiter.name);
  private readonly limiters: Record<BudgetKind, RateLimiterAbstract>;
  private readonly quotas: Record<BudgetKind, number>;
  private storeFailureLogged = false;

  constructor(
    @Inject(limitsConfig.KEY) config: ConfigType<typeof limitsConfig>,
    @Optional() @Inject(RATE_LIMIT_REDIS) redis?: Redis | null,
  ) {
    this.quotas = { caller: config.perCallerPerMinute, anonymous: config.anonymousPerMinute };
    this.limiters = {
      caller: build(config.perCallerPerMinute, 'portico-in-caller', redis),
      anonymous: build(config.anonymousPerMinute, 'portico-in-ip', redis),
    };
  }

  /** Takes one request from `key`'s budget of `kind`; says whether it fitted and what is left. */
  async take(kind: BudgetKind, key: string): Promise<BudgetDecision> {
    const quota = this.quotas[kind];
    const base = { policy: kind, quota, windowSeconds: WINDOW_SECONDS };
    try {
      const res = await this.limiters[kind].consume(key);
      return { ...base, allowed: true, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { ...base, allowed: false, remaining: 0, resetMs: rejection.msBeforeNext };
      }
      // The store failed with no insurance left: serve rather than refuse everyone.
      if (!this.storeFailureLogged) {
        this.storeFailureLogged = true;
        this.logger.warn({ err: rejection }, 'Inbound rate-limit store failed; requests are not limited');
      }
      return { ...base, allowed: true, remaining: quota, resetMs: WINDOW_SECONDS * 1000 };
    }
  }
}

function build(points: number, keyPrefix: string, redis: Redis | null | undefined): RateLimiterAbstract {
  const options = { points, duration: WINDOW_SECONDS, keyPrefix };
  if (redis === undefined || redis === null) return new RateLimiterMemory(options);
  return new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) });
}
