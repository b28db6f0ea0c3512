import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { appEnv } from './app.config';
import { authEnv } from './auth.config';
import { databaseEnv } from './database.config';
import { emailEnv } from './email.config';
import { type EnvSpec, type RawEnv, groupComplete, groupUsed, isSet } from './env-rules';
import { limitsEnv } from './limits.config';
import { redisEnv } from './redis.config';
import { resilienceEnv } from './resilience.config';
import { telemetryEnv } from './telemetry.config';

/**
 * The app-level namespaces' rules. Provider modules declare their own
 * (`defineProviderConfig` + `ProviderConfigModule.forFeature`), and the
 * root config module adds those found under the app's modules.
 */
export const ENV_SPECS: readonly EnvSpec[] = [
  appEnv,
  limitsEnv,
  databaseEnv,
  redisEnv,
  resilienceEnv,
  authEnv,
  emailEnv,
  telemetryEnv,
];

/** Thrown at start-up; its message lists every problem, one per line, never a value. */
export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid environment (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'InvalidEnvironmentError';
  }
}

/** Lists every problem with the environment; empty when it is usable. */
export function findEnvProblems(env: RawEnv, specs: readonly EnvSpec[] = ENV_SPECS): string[] {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  for (const spec of specs) {
    const instance = plainToInstance(spec.schema, { ...env }, { exposeDefaultValues: true });
    problems.push(...validateSync(instance, { forbidUnknownValues: false }).flatMap(describe));
    for (const group of spec.groups ?? []) {
      if (groupUsed(env, group) && !groupComplete(env, group)) {
        const set = [...group.required, ...(group.optional ?? [])].filter((name) => isSet(env[name]));
        for (const missing of group.required.filter((name) => !isSet(env[name]))) {
          problems.push(
            `${missing}: required for ${group.label} because ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set`,
          );
        }
      }
    }
    problems.push(...(spec.rules?.(env) ?? []));
    if (production) problems.push(...(spec.production?.(env) ?? []));
  }
  return problems;
}

/**
 * `ConfigModule` hook: validates the whole environment at once and fails
 * start-up with one message. Returns the environment unchanged; the typed
 * namespaces (`registerAs`) parse it.
 */
export function validateEnv(
  raw: Record<string, unknown>,
  specs: readonly EnvSpec[] = ENV_SPECS,
): Record<string, unknown> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(raw))
    env[key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  const problems = findEnvProblems(env, specs);
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return raw;
}

function describe(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {}).map((message) =>
    message.startsWith(error.property)
      ? message.replace(error.property, `${error.property}:`)
      : `${error.property}: ${message}`,
  );
  return [...own, ...(error.children ?? []).flatMap(describe)];
}
