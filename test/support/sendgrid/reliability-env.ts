import { TEST_API_KEYS } from '../api-keys';
import type { FakeSendGrid } from './sendgrid-fake';

/** App environment for the reliability tests: SendGrid stand-in, short backoff, generous attempts. */
export function reliabilityEnv(fake: FakeSendGrid): Record<string, string> {
  return {
    API_KEYS: TEST_API_KEYS,
    SENDGRID_API_KEY: fake.apiKey,
    SENDGRID_API_BASE: fake.url,
    EMAIL_FROM: 'portico@example.com',
    EMAIL_RETRY_BASE_MS: '50',
    EMAIL_RETRY_CAP_MS: '1000',
    // 40% of attempts fail on purpose: 25 attempts make giving up (0.4^25) practically impossible.
    EMAIL_MAX_ATTEMPTS: '25',
    // The stand-in has no rate limit; the resilience layer's retries and breaker stay at their defaults.
    RESILIENCE_SENDGRID_RATE_PER_SEC: '0',
  };
}
