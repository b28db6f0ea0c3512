import type { ClassConstructor } from 'class-transformer';

/** The raw environment as strings, after `.env` has been merged in. */
export type RawEnv = Readonly<Record<string, string | undefined>>;

/**
 * How one config namespace validates its slice of the environment.
 * Each `*.config.ts` exports one; `env.validation.ts` runs them all so a bad
 * environment is reported in one message listing every problem.
 */
export interface EnvSpec {
  /** Namespace name as used with `registerAs` (e.g. `stripe`, `oauth.google`). */
  readonly namespace: string;
  /** class-validator schema for this namespace's variables. */
  readonly schema: ClassConstructor<object>;
  /**
   * All-or-nothing groups: a provider is optional as a whole, but once any of
   * its variables is set, every `required` one must be set too.
   */
  readonly groups?: readonly EnvGroup[];
  /** Extra rules (returns problems as `VARIABLE: what is wrong`). Never echo a value. */
  readonly rules?: (env: RawEnv) => string[];
  /** Rules that apply only with `NODE_ENV=production` (insecure defaults refused). */
  readonly production?: (env: RawEnv) => string[];
}

export interface EnvGroup {
  /** What the group enables, for messages ("payments (Stripe)"). */
  readonly label: string;
  /** Variables that must all be present once the group is used. */
  readonly required: readonly string[];
  /** Variables that belong to the group but may be left out (they trigger the group too). */
  readonly optional?: readonly string[];
}

/** True when any variable of the group is set (non-empty). */
export function groupUsed(env: RawEnv, group: EnvGroup): boolean {
  return [...group.required, ...(group.optional ?? [])].some((name) => isSet(env[name]));
}

/** True when every required variable of the group is set. */
export function groupComplete(env: RawEnv, group: EnvGroup): boolean {
  return group.required.every((name) => isSet(env[name]));
}

export function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
