import type { Provider } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The app's one prom-client registry, injected by its class (`Registry`).
 * Per application, never prom-client's global `register`, so two app
 * instances in one process (tests) keep separate counts.
 */
export const metricsRegistryProvider: Provider = {
  provide: Registry,
  useFactory: (): Registry => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    return registry;
  },
};
