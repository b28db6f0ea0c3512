import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { githubOAuthConfig } from '../config/oauth-github.config';
import { googleOAuthConfig } from '../config/oauth-google.config';
import { sendgridConfig } from '../config/sendgrid.config';
import { storageConfig } from '../config/storage.config';
import { stripeConfig } from '../config/stripe.config';

/** What `/health/ready` says of one provider. None of these fails readiness. */
export type ProviderState = 'up' | 'not_configured' | 'degraded';

export interface ProviderHealth {
  readonly status: ProviderState;
  /** Safe details (e.g. `{ circuit: 'open', retryInSeconds: 12 }`). */
  readonly [detail: string]: unknown;
}

export type ProviderProbe = () => ProviderHealth;
/** Adjusts a provider's health, e.g. the resilience module marks an open breaker `degraded`. */
export type ProviderOverlay = (provider: string, health: ProviderHealth) => ProviderHealth;

/**
 * Every provider's state for the readiness endpoint. Starts with one entry
 * per built-in provider from config; integration modules replace their
 * entry with a richer probe, and overlays (breaker state) adjust the result.
 */
@Injectable()
export class ProviderStatusRegistry {
  private readonly probes = new Map<string, ProviderProbe>();
  private readonly overlays: ProviderOverlay[] = [];

  constructor(
    @Inject(stripeConfig.KEY) stripe: ConfigType<typeof stripeConfig>,
    @Inject(sendgridConfig.KEY) sendgrid: ConfigType<typeof sendgridConfig>,
    @Inject(storageConfig.KEY) storage: ConfigType<typeof storageConfig>,
    @Inject(googleOAuthConfig.KEY) google: ConfigType<typeof googleOAuthConfig>,
    @Inject(githubOAuthConfig.KEY) github: ConfigType<typeof githubOAuthConfig>,
  ) {
    const configured =
      (yes: boolean): ProviderProbe =>
      () => ({ status: yes ? 'up' : 'not_configured' });
    this.register('stripe', configured(stripe.configured));
    this.register('sendgrid', configured(sendgrid.configured));
    this.register('s3', configured(storage.driver === 's3' && storage.s3.configured));
    this.register('google', configured(google.configured));
    this.register('github', configured(github.configured));
  }

  /** Adds or replaces the probe for `provider`. */
  register(provider: string, probe: ProviderProbe): void {
    this.probes.set(provider, probe);
  }

  addOverlay(overlay: ProviderOverlay): void {
    this.overlays.push(overlay);
  }

  snapshot(): Record<string, ProviderHealth> {
    const result: Record<string, ProviderHealth> = {};
    for (const [name, probe] of [...this.probes.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      result[name] = this.overlays.reduce((health, overlay) => overlay(name, health), probe());
    }
    return result;
  }
}
