import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { RATE_LIMIT_REDIS } from './resilience.constants';
import { RESILIENCE_OPTIONS, type ResilienceOptions } from './resilience.options';

/** The Redis client for shared rate-limit buckets, or null without a Redis URL. */
export const rateLimitRedisProvider: Provider = {
  provide: RATE_LIMIT_REDIS,
  inject: [RESILIENCE_OPTIONS],
  useFactory: (options: ResilienceOptions): Redis | null =>
    options.redisUrl === undefined
      ? null
      : new Redis(options.redisUrl, {
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
