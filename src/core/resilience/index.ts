export { type CallContext, currentCallContext, currentCallSignal } from './call-context';
export { ResiliencePolicyRegistry } from './policy-registry';
export { ResilienceModule } from './resilience.module';
export { RESILIENT, Resilient, type ResilienceOverrides, type ResilientMetadata } from './resilient.decorator';
