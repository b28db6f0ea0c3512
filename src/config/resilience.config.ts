import { registerAs } from '@nestjs/config';
import type { EnvSpec } from './env-rules';

/** Placeholder: the resilience issue fills in per-provider policy settings. */
class ResilienceEnv {}

export const resilienceConfig = registerAs('resilience', () => ({}));

export type ResilienceConfig = ReturnType<typeof resilienceConfig>;

export const resilienceEnv: EnvSpec = { namespace: 'resilience', schema: ResilienceEnv };
