import { findEnvProblems } from './env.validation';
import {
  BASE_POLICY,
  type ResilienceConfig,
  providerEnvSegment,
  resilienceConfig,
  resolvePolicySettings,
} from './resilience.config';

function configFrom(env: Record<string, string>): ResilienceConfig {
  const saved = process.env;
  process.env = { ...env };
  try {
    return resilienceConfig();
  } finally {
    process.env = saved;
  }
}

describe('resilience config', () => {
  it('gives every provider the base policy, with the built-in profile of known providers', () => {
    const config = configFrom({});
    expect(resolvePolicySettings(config, 'acme')).toEqual(BASE_POLICY);
    expect(resolvePolicySettings(config, 'stripe')).toMatchObject({
      ratePerSec: 25,
      maxAttempts: BASE_POLICY.maxAttempts,
    });
    expect(resolvePolicySettings(config, 'github').ratePerSec).toBe(10);
  });

  it('applies RESILIENCE_DEFAULT_* to all, then the profile, then RESILIENCE_<PROVIDER>_*', () => {
    const config = configFrom({
      RESILIENCE_DEFAULT_MAX_ATTEMPTS: '5',
      RESILIENCE_DEFAULT_RATE_PER_SEC: '7',
      RESILIENCE_STRIPE_RATE_PER_SEC: '90',
      RESILIENCE_GITHUB_API_BREAKER_WINDOW_MS: '5000',
      RESILIENCE_GITHUB_API_BREAKER_RATIO: '0.25',
    });
    expect(resolvePolicySettings(config, 'acme')).toMatchObject({ maxAttempts: 5, ratePerSec: 7 });
    expect(resolvePolicySettings(config, 'stripe')).toMatchObject({ maxAttempts: 5, ratePerSec: 90 });
    expect(resolvePolicySettings(config, 'sendgrid')).toMatchObject({ ratePerSec: 10 });
    expect(resolvePolicySettings(config, 'github-api')).toMatchObject({ breakerWindowMs: 5_000, breakerRatio: 0.25 });
  });

  it('names a provider’s variables by its upper-cased name', () => {
    expect(providerEnvSegment('github-api')).toBe('GITHUB_API');
    expect(providerEnvSegment('s3')).toBe('S3');
  });

  it.each([
    ['RESILIENCE_STRIPE_TIMEOUT_MS', 'soon', /RESILIENCE_STRIPE_TIMEOUT_MS: must be a whole number from 1/],
    ['RESILIENCE_DEFAULT_MAX_ATTEMPTS', '0', /RESILIENCE_DEFAULT_MAX_ATTEMPTS: must be a whole number from 1 to 20/],
    ['RESILIENCE_S3_BREAKER_RATIO', '1.5', /RESILIENCE_S3_BREAKER_RATIO: must be a number from 0 to 0.99/],
    ['RESILIENCE_STRIPE_TIMEOUT', '100', /RESILIENCE_STRIPE_TIMEOUT: not a resilience setting/],
  ])('%s=%s is refused', (name, value, message) => {
    expect(findEnvProblems({ [name]: value })).toEqual([expect.stringMatching(message)]);
  });

  it('refuses a backoff base above its cap', () => {
    expect(
      findEnvProblems({ RESILIENCE_DEFAULT_BACKOFF_BASE_MS: '2000', RESILIENCE_DEFAULT_BACKOFF_CAP_MS: '1000' }),
    ).toEqual([
      expect.stringMatching(/RESILIENCE_DEFAULT_BACKOFF_BASE_MS: must not exceed RESILIENCE_DEFAULT_BACKOFF_CAP_MS/),
    ]);
  });

  it('accepts well-formed settings', () => {
    expect(
      findEnvProblems({
        RESILIENCE_STRIPE_RATE_PER_SEC: '90',
        RESILIENCE_DEFAULT_BREAKER_RATIO: '0.5',
        RESILIENCE_ACME_BULKHEAD_QUEUE: '0',
      }),
    ).toEqual([]);
  });
});
