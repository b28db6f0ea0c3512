import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Registry } from 'prom-client';
import { HttpMetricsInterceptor } from './http-metrics.interceptor';
import { IntegrationMetrics } from './integration-metrics';
import { MetricsController } from './metrics.controller';
import { metricsRegistryProvider } from './metrics-registry.provider';

/**
 * One prom-client registry for the app (inject `Registry`), default process
 * metrics, the `integration_*` provider-call metrics, HTTP request metrics
 * from a global interceptor, and `GET /metrics`.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    metricsRegistryProvider,
    {
      provide: IntegrationMetrics,
      inject: [Registry],
      useFactory: (registry: Registry) => new IntegrationMetrics(registry),
    },
    {
      provide: HttpMetricsInterceptor,
      inject: [Registry],
      useFactory: (registry: Registry) => new HttpMetricsInterceptor(registry),
    },
    { provide: APP_INTERCEPTOR, useExisting: HttpMetricsInterceptor },
  ],
  exports: [Registry, IntegrationMetrics],
})
export class MonitoringModule {}
