import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { redisConfig } from '../../config/redis.config';
import { RATE_LIMIT_REDIS } from './resilience.constants';

/** The Redis client for shared rate-limit buckets, or null without REDIS_URL. */
export const rateLimitRedisProvider: Provider = {
  provide: RATE_LIMIT_REDIS,
  inject: [redisConfig.KEY],
  useFactory: (config: ConfigType<typeof redisConfig>): Redis | null =>
    config.url === undefined
      ? null
      : new Redis(config.url, {
          // Fail fast while disconnected: the limiter falls back to its in-memory insurance.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectionName: 'portico-rate-limit',
        }),
};

/** Closes the rate-limit Redis connection when the app shuts down. */
@Injectable()
export class RateLimitRedisCloser implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis === null) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
