import { registerAs } from '@nestjs/config';
import type { EnvSpec, RawEnv } from './env-rules';
import { isSet } from './env-rules';

/**
 * One provider's resilience policy: what `@Resilient(provider)` applies.
 * Every number can be set per provider with `RESILIENCE_<PROVIDER>_<SETTING>`
 * (provider name upper-cased, other characters as `_`: `github-api` →
 * `GITHUB_API`) or for all providers with `RESILIENCE_DEFAULT_<SETTING>`.
 */
export interface PolicySettings {
  /** Timeout of one attempt, ms. */
  readonly timeoutMs: number;
  /** Attempts in total (1 = no retry). */
  readonly maxAttempts: number;
  /** No retry starts once this much time has passed since the first attempt, ms. */
  readonly maxTotalMs: number;
  /** Full-jitter backoff: the n-th retry waits random(0, min(cap, base·2^(n-1))) ms. */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Longest upstream `Retry-After` waited out before a retry, ms; a longer one ends the call. */
  readonly retryAfterMaxMs: number;
  /** Breaker opens after this many consecutive failed calls (0 = off). */
  readonly breakerConsecutive: number;
  /** Breaker opens when failures exceed this share of calls in the window (0 = off). */
  readonly breakerRatio: number;
  readonly breakerWindowMs: number;
  /** Calls needed in the window before the ratio counts. */
  readonly breakerMinCalls: number;
  /** How long the breaker stays open before one probe call is let through, ms. */
  readonly breakerCooldownMs: number;
  /** Calls per second to the provider (token bucket; 0 = unlimited). */
  readonly ratePerSec: number;
  /** Longest a call waits for a token before failing with 429, ms. */
  readonly rateMaxWaitMs: number;
  /** Calls that may wait for a token at once; beyond that, 429 at once. */
  readonly rateMaxQueue: number;
  /** Concurrent calls to the provider. */
  readonly bulkheadLimit: number;
  /** Calls waiting for a concurrency slot; beyond that, 503 at once. */
  readonly bulkheadQueue: number;
}

type SettingSpec = { readonly env: string; readonly min: number; readonly max: number; readonly fraction?: boolean };

/** Env suffix and allowed range of each setting. */
export const POLICY_SETTINGS: Readonly<Record<keyof PolicySettings, SettingSpec>> = {
  timeoutMs: { env: 'TIMEOUT_MS', min: 1, max: 600_000 },
  maxAttempts: { env: 'MAX_ATTEMPTS', min: 1, max: 20 },
  maxTotalMs: { env: 'MAX_TOTAL_MS', min: 1, max: 3_600_000 },
  backoffBaseMs: { env: 'BACKOFF_BASE_MS', min: 0, max: 600_000 },
  backoffCapMs: { env: 'BACKOFF_CAP_MS', min: 0, max: 600_000 },
  retryAfterMaxMs: { env: 'RETRY_AFTER_MAX_MS', min: 0, max: 3_600_000 },
  breakerConsecutive: { env: 'BREAKER_CONSECUTIVE', min: 0, max: 10_000 },
  breakerRatio: { env: 'BREAKER_RATIO', min: 0, max: 0.99, fraction: true },
  breakerWindowMs: { env: 'BREAKER_WINDOW_MS', min: 1_000, max: 3_600_000 },
  breakerMinCalls: { env: 'BREAKER_MIN_CALLS', min: 1, max: 1_000_000 },
  breakerCooldownMs: { env: 'BREAKER_COOLDOWN_MS', min: 1, max: 3_600_000 },
  ratePerSec: { env: 'RATE_PER_SEC', min: 0, max: 1_000_000 },
  rateMaxWaitMs: { env: 'RATE_MAX_WAIT_MS', min: 0, max: 600_000 },
  rateMaxQueue: { env: 'RATE_MAX_QUEUE', min: 0, max: 1_000_000 },
  bulkheadLimit: { env: 'BULKHEAD_LIMIT', min: 1, max: 100_000 },
  bulkheadQueue: { env: 'BULKHEAD_QUEUE', min: 0, max: 1_000_000 },
};

/** Used for every provider unless something more specific is set. */
export const BASE_POLICY: PolicySettings = {
  timeoutMs: 10_000,
  maxAttempts: 3,
  maxTotalMs: 30_000,
  backoffBaseMs: 200,
  backoffCapMs: 5_000,
  retryAfterMaxMs: 10_000,
  breakerConsecutive: 5,
  breakerRatio: 0.5,
  breakerWindowMs: 30_000,
  breakerMinCalls: 20,
  breakerCooldownMs: 30_000,
  ratePerSec: 50,
  rateMaxWaitMs: 2_000,
  rateMaxQueue: 100,
  bulkheadLimit: 20,
  bulkheadQueue: 100,
};

/** What we know of each built-in provider's limits (see /work/shared/PROVIDER_FACTS.md). */
export const PROVIDER_PROFILES: Readonly<Record<string, Partial<PolicySettings>>> = {
  // Test mode allows about 25 requests/s (live about 100): set RESILIENCE_STRIPE_RATE_PER_SEC=90 for live keys.
  stripe: { ratePerSec: 25, timeoutMs: 15_000 },
  sendgrid: { ratePerSec: 10, timeoutMs: 10_000 },
  // Uploads are long; S3 takes thousands of requests/s per prefix.
  s3: { ratePerSec: 200, timeoutMs: 60_000, bulkheadLimit: 32 },
  google: { ratePerSec: 20, timeoutMs: 5_000 },
  // 5,000 requests/hour per token; short bursts are fine.
  github: { ratePerSec: 10, timeoutMs: 5_000 },
};

const SETTING_KEYS = Object.keys(POLICY_SETTINGS) as Array<keyof PolicySettings>;
// Longest suffix first so `..._BREAKER_WINDOW_MS` never parses as a shorter setting.
const SUFFIXES = SETTING_KEYS.map((key) => [key, POLICY_SETTINGS[key].env] as const).sort(
  (a, b) => b[1].length - a[1].length,
);
const PREFIX = 'RESILIENCE_';

/** `github-api` → `GITHUB_API`: the segment a provider's variables use. */
export function providerEnvSegment(provider: string): string {
  return provider.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

interface ParsedVariable {
  readonly name: string;
  readonly segment: string;
  readonly key?: keyof PolicySettings;
  readonly value: string;
}

function parseVariables(env: RawEnv): ParsedVariable[] {
  const result: ParsedVariable[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || !isSet(value)) continue;
    const rest = name.slice(PREFIX.length);
    const match = SUFFIXES.find(([, suffix]) => rest.endsWith(`_${suffix}`) && rest.length > suffix.length + 1);
    result.push(
      match
        ? { name, segment: rest.slice(0, -(match[1].length + 1)), key: match[0], value: value.trim() }
        : { name, segment: rest, value: value.trim() },
    );
  }
  return result;
}

function settingProblem(variable: ParsedVariable): string | undefined {
  if (variable.key === undefined) {
    return `${variable.name}: not a resilience setting (expected RESILIENCE_<PROVIDER>_<${SETTING_KEYS.map((k) => POLICY_SETTINGS[k].env).join('|')}>)`;
  }
  const spec = POLICY_SETTINGS[variable.key];
  const n = Number(variable.value);
  const shape = spec.fraction ? /^\d+(\.\d+)?$/ : /^\d+$/;
  if (!shape.test(variable.value) || n < spec.min || n > spec.max) {
    return `${variable.name}: must be a ${spec.fraction ? 'number' : 'whole number'} from ${spec.min} to ${spec.max}`;
  }
  return undefined;
}

/** Per-segment overrides read from the environment (already validated). */
function readOverrides(env: RawEnv): Record<string, Partial<Record<keyof PolicySettings, number>>> {
  const overrides: Record<string, Partial<Record<keyof PolicySettings, number>>> = {};
  for (const variable of parseVariables(env)) {
    if (variable.key === undefined || settingProblem(variable) !== undefined) continue;
    (overrides[variable.segment] ??= {})[variable.key] = Number(variable.value);
  }
  return overrides;
}

/**
 * The settings for `provider`, most specific last: base values,
 * `RESILIENCE_DEFAULT_*`, the built-in profile, `RESILIENCE_<PROVIDER>_*`.
 */
export function resolvePolicySettings(config: ResilienceConfig, provider: string): PolicySettings {
  return {
    ...BASE_POLICY,
    ...config.overrides.DEFAULT,
    ...PROVIDER_PROFILES[provider],
    ...config.overrides[providerEnvSegment(provider)],
  };
}

export const resilienceConfig = registerAs('resilience', () => ({
  /** `RESILIENCE_<SEGMENT>_<SETTING>` values by segment (`DEFAULT`, `STRIPE`, ...). */
  overrides: readOverrides(process.env),
}));

export type ResilienceConfig = ReturnType<typeof resilienceConfig>;

/** Variables are open-ended (one set per provider), so they are checked by a rule rather than a schema class. */
class ResilienceEnv {}

export const resilienceEnv: EnvSpec = {
  namespace: 'resilience',
  schema: ResilienceEnv,
  rules: (env: RawEnv) => {
    const problems = parseVariables(env).flatMap((variable) => settingProblem(variable) ?? []);
    for (const [segment, values] of Object.entries(readOverrides(env))) {
      if ((values.backoffBaseMs ?? 0) > (values.backoffCapMs ?? Number.POSITIVE_INFINITY)) {
        problems.push(`${PREFIX}${segment}_BACKOFF_BASE_MS: must not exceed ${PREFIX}${segment}_BACKOFF_CAP_MS`);
      }
    }
    return problems;
  },
};
