import { ResiliencePolicyRegistry, UnknownProviderSettingsError } from './policy-registry';
import { BASE_POLICY } from './policy-settings';

describe(ResiliencePolicyRegistry.name, () => {
  const sut = (): ResiliencePolicyRegistry =>
    new ResiliencePolicyRegistry(
      {
        profiles: {
          stripe: { timeoutMs: 15_000, ratePerSec: 25, operations: { 'refunds.create': { maxAttempts: 1 } } },
        },
        overrides: {
          DEFAULT: { maxAttempts: 5, ratePerSec: 7 },
          STRIPE: { ratePerSec: 90 },
          FORECAST: { maxAttempts: 2 },
        },
        overrideSources: { STIRPE: ['RESILIENCE_STIRPE_TIMEOUT_MS'] },
      },
      undefined,
      null,
    );

  it('layers base values < DEFAULT < profile < module settings < the provider’s own overrides', () => {
    const registry = sut();
    expect(registry.settingsFor('acme')).toEqual({ ...BASE_POLICY, maxAttempts: 5, ratePerSec: 7 });
    expect(registry.settingsFor('stripe')).toMatchObject({ timeoutMs: 15_000, ratePerSec: 90, maxAttempts: 5 });
    registry.configure('forecast', { timeoutMs: 300, maxAttempts: 4 });
    // FORECAST_TIMEOUT_MS (bound by the module) applies; RESILIENCE_FORECAST_MAX_ATTEMPTS still wins.
    expect(registry.settingsFor('forecast')).toMatchObject({ timeoutMs: 300, maxAttempts: 2 });
  });

  it('applies an operation’s settings from config over the decorator’s literal ones', () => {
    const registry = sut();
    registry.configure('forecast', { operations: { 'forecast.get': { timeoutMs: 250 } } });
    expect(registry.operation('forecast', 'forecast.get', { timeoutMs: 9_000 }).settings.timeoutMs).toBe(250);
    expect(registry.operation('forecast', 'other', { timeoutMs: 9_000 }).settings.timeoutMs).toBe(9_000);
    expect(registry.operation('stripe', 'refunds.create').settings.maxAttempts).toBe(1);
    expect(registry.operation('stripe', 'paymentIntents.retrieve').settings.maxAttempts).toBe(5);
  });

  it('refuses overrides for a provider it does not know, naming the variables and the known providers', () => {
    const registry = new ResiliencePolicyRegistry(
      {
        profiles: { stripe: {} },
        overrides: { STIRPE: { timeoutMs: 5 } },
        overrideSources: { STIRPE: ['RESILIENCE_STIRPE_TIMEOUT_MS'] },
      },
      undefined,
      null,
    );
    expect(() => registry.verifyOverrides(['github-rest'])).toThrow(UnknownProviderSettingsError);
    expect(() => registry.verifyOverrides(['github-rest'])).toThrow(
      'Resilience settings for unknown providers: RESILIENCE_STIRPE_TIMEOUT_MS. Known providers: github-rest, stripe',
    );
    expect(() => sut().verifyOverrides(['forecast'])).not.toThrow();
  });
});
