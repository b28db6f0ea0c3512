import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { type ConfigFactory, type ConfigFactoryKeyHost, registerAs } from '@nestjs/config';
import type { ClassConstructor } from 'class-transformer';
import { type EnvGroup, type EnvSpec, type RawEnv, groupComplete } from './env-rules';

/**
 * Everything a provider module says about its configuration, in one place
 * next to the module: the env schema (class-validator), the group that
 * turns the provider on, its secrets, and how to read it (defaults included).
 */
export interface ProviderConfigDeclaration<T extends object> {
  /** `registerAs` namespace (`forecast`); inject with `@Inject(forecastConfig.KEY)`. */
  readonly namespace: string;
  /** What the provider enables, for messages ("weather forecasts (Forecast)"). */
  readonly label: string;
  /** class-validator schema of every variable the module reads (all optional, `@EmptyAsUndefined()`). */
  readonly schema: ClassConstructor<object>;
  /** Set together or not at all; until they are, the provider is `not_configured` (503, `/health/ready`). */
  readonly required: readonly string[];
  /** Belong to the group but may be left out. */
  readonly optional?: readonly string[];
  /** Further all-or-nothing groups inside the module's variables (S3's static credentials: both or neither). */
  readonly groups?: readonly EnvGroup[];
  /** Variables never logged or echoed (redaction lists, docs). */
  readonly secrets?: readonly string[];
  /** Reads the (already validated) environment; defaults live here. Never reads `process.env` itself. */
  readonly load: (env: RawEnv) => T;
  /** Extra rules (`VARIABLE: what is wrong`), and rules for production only. */
  readonly rules?: (env: RawEnv) => string[];
  readonly production?: (env: RawEnv) => string[];
}

/** What every provider config carries besides its own values. */
export interface ProviderConfigState {
  /** Every required variable is set. */
  readonly configured: boolean;
  /** The variables to set while not configured (for `ProviderNotConfiguredError` and `missingConfig`), else undefined. */
  readonly missing: readonly string[] | undefined;
}

export type ProviderConfig<T extends object> = ConfigFactory<T & ProviderConfigState> &
  ConfigFactoryKeyHost<T & ProviderConfigState> & {
    /** The start-up validation's view of the declaration. */
    readonly env: EnvSpec;
    readonly declaration: ProviderConfigDeclaration<T>;
    /** The values now, synchronously: for choices made while a module is built (the storage driver). */
    readonly read: () => T & ProviderConfigState;
  };

/** Any provider config, whatever its values (what start-up collects and loads). */
export type AnyProviderConfig = ConfigFactory & { readonly KEY: string | symbol; readonly env: EnvSpec };

/**
 * Turns a declaration into a typed config namespace (`registerAs`) plus its
 * validation spec. Register it with `ProviderConfigModule.forFeature(x)` in
 * the provider module's imports: start-up then finds it, validates it with
 * every other namespace at once, and makes it injectable.
 */
export function defineProviderConfig<T extends object>(declaration: ProviderConfigDeclaration<T>): ProviderConfig<T> {
  const group: EnvGroup = { label: declaration.label, required: declaration.required, optional: declaration.optional };
  const read = (): T & ProviderConfigState => {
    const env: RawEnv = process.env;
    const configured = groupComplete(env, group);
    return { ...declaration.load(env), configured, missing: configured ? undefined : declaration.required };
  };
  const factory = registerAs(declaration.namespace, read);
  const env: EnvSpec = {
    namespace: declaration.namespace,
    schema: declaration.schema,
    groups: [...(declaration.required.length === 0 ? [] : [group]), ...(declaration.groups ?? [])],
    rules: declaration.rules,
    production: declaration.production,
  };
  return Object.assign(factory, { env, declaration, read });
}

const DECLARED = Symbol('portico:provider-config');
/** Where `@Module({ imports })` keeps its imports (Nest's MODULE_METADATA.IMPORTS). */
const IMPORTS_METADATA = 'imports';

/**
 * Marks a module as owning a provider config. The module carries no
 * providers of its own: the root config module loads every declared
 * namespace globally (so validation runs once, over all of them).
 */
@Module({})
export class ProviderConfigModule {
  static forFeature(config: AnyProviderConfig): DynamicModule {
    return Object.assign({ module: ProviderConfigModule }, { [DECLARED]: config });
  }
}

type ModuleRef = Type | DynamicModule | Promise<DynamicModule> | { forwardRef: () => unknown } | undefined;

/** Every provider config declared (`ProviderConfigModule.forFeature`) anywhere under `modules`. */
export function declaredProviderConfigs(modules: readonly ModuleRef[]): AnyProviderConfig[] {
  const found = new Set<AnyProviderConfig>();
  const seen = new Set<unknown>();
  const visit = (entry: ModuleRef): void => {
    if (entry === undefined || entry instanceof Promise || seen.has(entry)) return;
    seen.add(entry);
    if (typeof entry === 'function') {
      for (const child of (Reflect.getMetadata(IMPORTS_METADATA, entry) ?? []) as ModuleRef[]) visit(child);
      return;
    }
    if ('forwardRef' in entry) return;
    const config = (entry as { [DECLARED]?: AnyProviderConfig })[DECLARED];
    if (config !== undefined) found.add(config);
    visit(entry.module);
    for (const child of (entry.imports ?? []) as ModuleRef[]) visit(child);
  };
  modules.forEach(visit);
  return [...found];
}
