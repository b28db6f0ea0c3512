export { type CallContext, currentCallContext, currentCallSignal } from './call-context';
export { ResiliencePolicyRegistry, UnknownProviderSettingsError } from './policy-registry';
export { BASE_POLICY, type PolicySettings, type ProviderProfile, providerSegment } from './policy-settings';
export { ResilienceModule } from './resilience.module';
export { RESILIENCE_OPTIONS, type ResilienceOptions } from './resilience.options';
export { RESILIENT, Resilient, type ResilienceOverrides, type ResilientMetadata } from './resilient.decorator';
