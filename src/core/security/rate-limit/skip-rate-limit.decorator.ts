import { SetMetadata } from '@nestjs/common';

export const SKIP_RATE_LIMIT = 'portico:skip-rate-limit';

/**
 * Takes a route (or controller) out of the inbound request budgets: health
 * probes, and signed webhooks (a Stripe burst must never be refused; they
 * are still bounded by the body size limit and verify a signature first).
 */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(SKIP_RATE_LIMIT, true);
