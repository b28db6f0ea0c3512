/** Injection token of the ioredis client shared by the rate limiters (null without REDIS_URL). */
export const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');
