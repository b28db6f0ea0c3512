import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PolicySettings, ProviderProfile } from './policy-settings';

/**
 * What the app tells the resilience module. Core reads no configuration
 * itself: the app module maps its config onto these options.
 */
export interface ResilienceOptions {
  /** Each provider's profile by provider name (`stripe`, `github-rest`). */
  readonly profiles?: Readonly<Record<string, ProviderProfile>>;
  /**
   * Operator overrides by provider segment (`DEFAULT` for every provider,
   * `STRIPE`, `GITHUB_REST`); they win over profiles.
   */
  readonly overrides?: Readonly<Record<string, Partial<PolicySettings>>>;
  /** The variables each override segment came from, named when a segment matches no provider. */
  readonly overrideSources?: Readonly<Record<string, readonly string[]>>;
  /** Write the per-call debug line (skipped otherwise: it is on the hot path). */
  readonly debugLogs?: boolean;
  /** Redis URL for rate-limit buckets shared by every instance; in-memory without it. */
  readonly redisUrl?: string;
}

export const {
  ConfigurableModuleClass: ResilienceModuleClass,
  MODULE_OPTIONS_TOKEN: RESILIENCE_OPTIONS,
  OPTIONS_TYPE: RESILIENCE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: RESILIENCE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ResilienceOptions>().setClassMethodName('forRoot').build();
