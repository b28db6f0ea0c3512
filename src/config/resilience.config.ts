import { registerAs } from '@nestjs/config';
import {
  BASE_POLICY,
  type PolicySettings,
  type ProviderProfile,
  providerSegment,
} from '../core/resilience/policy-settings';
import type { ResilienceOptions } from '../core/resilience/resilience.options';
import type { AppConfig } from './app.config';
import type { EnvSpec, RawEnv } from './env-rules';
import { isSet } from './env-rules';
import type { RedisConfig } from './redis.config';

export { BASE_POLICY, type PolicySettings };

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

/** What we know of each built-in provider's limits (see /work/shared/PROVIDER_FACTS.md). */
export const PROVIDER_PROFILES: Readonly<Record<string, ProviderProfile>> = {
  // Test mode allows about 25 requests/s (live about 100): set RESILIENCE_STRIPE_RATE_PER_SEC=90 for live keys.
  stripe: { ratePerSec: 25, timeoutMs: 15_000 },
  sendgrid: { ratePerSec: 10, timeoutMs: 10_000 },
  // Uploads are long; S3 takes thousands of requests/s per prefix.
  s3: { ratePerSec: 200, timeoutMs: 60_000, bulkheadLimit: 32 },
  google: { ratePerSec: 20, timeoutMs: 5_000 },
  // 5,000 requests/hour per token; short bursts are fine.
  github: { ratePerSec: 10, timeoutMs: 5_000 },
  // The REST client of the docs' worked example: the same API and budget as GitHub login.
  'github-rest': { ratePerSec: 10, timeoutMs: 5_000 },
};

const SETTING_KEYS = Object.keys(POLICY_SETTINGS) as Array<keyof PolicySettings>;
// Longest suffix first so `..._BREAKER_WINDOW_MS` never parses as a shorter setting.
const SUFFIXES = SETTING_KEYS.map((key) => [key, POLICY_SETTINGS[key].env] as const).sort(
  (a, b) => b[1].length - a[1].length,
);
const PREFIX = 'RESILIENCE_';

/** `github-api` → `GITHUB_API`: the segment a provider's variables use. */
export const providerEnvSegment = providerSegment;

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

/** The variables behind each segment, so a segment naming no provider is reported by its variables. */
function readSources(env: RawEnv): Record<string, string[]> {
  const sources: Record<string, string[]> = {};
  for (const variable of parseVariables(env)) {
    if (variable.key !== undefined) (sources[variable.segment] ??= []).push(variable.name);
  }
  return sources;
}

/**
 * The settings for `provider` from config alone, most specific last: base
 * values, `RESILIENCE_DEFAULT_*`, the built-in profile, `RESILIENCE_<PROVIDER>_*`.
 * (At run time the registry also layers a module's own profile under the last.)
 */
export function resolvePolicySettings(config: ResilienceConfig, provider: string): PolicySettings {
  const { operations: _operations, ...profile } = PROVIDER_PROFILES[provider] ?? {};
  return {
    ...BASE_POLICY,
    ...config.overrides.DEFAULT,
    ...profile,
    ...config.overrides[providerEnvSegment(provider)],
  };
}

export const resilienceConfig = registerAs('resilience', () => ({
  /** `RESILIENCE_<SEGMENT>_<SETTING>` values by segment (`DEFAULT`, `STRIPE`, ...). */
  overrides: readOverrides(process.env),
  sources: readSources(process.env),
}));

/** The resilience module's options, from the app's config (core reads no config itself). */
export function resilienceOptions(resilience: ResilienceConfig, app: AppConfig, redis: RedisConfig): ResilienceOptions {
  return {
    profiles: PROVIDER_PROFILES,
    overrides: resilience.overrides,
    overrideSources: resilience.sources,
    debugLogs: app.logLevel === 'debug' || app.logLevel === 'trace',
    redisUrl: redis.url,
  };
}

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
