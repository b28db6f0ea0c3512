import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { type AppConfig, appConfig } from './config/app.config';
import { AppConfigModule } from './config/config.module';
import { declaredProviderConfigs } from './config/provider-config';
import { redisConfig } from './config/redis.config';
import { resilienceConfig, resilienceOptions } from './config/resilience.config';
import { telemetryConfig } from './config/telemetry.config';
import { DatabaseModule } from './core/database/database.module';
import { DurableModule } from './core/durable/durable.module';
import { ProblemDetailsFilter } from './core/errors/problem-details.filter';
import { LoggingModule } from './core/logging/logging.module';
import { MonitoringModule } from './core/monitoring/monitoring.module';
import { ResilienceModule } from './core/resilience/resilience.module';
import { SecurityModule } from './core/security/security.module';
import { TracingModule } from './core/tracing/tracing.module';
import { ConsoleModule } from './console/console.module';
import { HealthModule } from './health/health.module';
import { AuthModule } from './integrations/auth/auth.module';
import { BillingModule } from './integrations/billing/billing.module';
import { EmailModule } from './integrations/email/email.module';
import { GithubReposModule } from './integrations/github-repos/github-repos.module';
import { PaymentsModule } from './integrations/payments/payments.module';
import { StorageModule } from './integrations/storage/storage.module';

/**
 * The provider modules: each brings its own config declaration, resilience
 * settings, readiness entry and routes. A new provider is one line here.
 * A function, built per app: `StorageModule.forRoot()` picks its driver from the environment it starts with.
 */
export const providerModules = (): Array<Type | DynamicModule> => [
  GithubReposModule,
  PaymentsModule,
  BillingModule,
  EmailModule,
  StorageModule.forRoot(),
  AuthModule,
];

@Module({})
export class AppModule {
  /**
   * The whole application. Built per call so every app instance (and every
   * test app) validates and reads the environment it starts with.
   */
  static async forRoot(extraModules: ReadonlyArray<Type | DynamicModule> = []): Promise<DynamicModule> {
    const features = [...providerModules(), ...extraModules];
    // Awaited here so a bad environment rejects createApp() itself (one clean message).
    const config = await AppConfigModule.forRoot(declaredProviderConfigs(features));
    return {
      module: AppModule,
      imports: [
        config,
        TracingModule.forRootAsync({
          inject: [telemetryConfig.KEY],
          useFactory: (telemetry: ConfigType<typeof telemetryConfig>) => telemetry,
        }),
        LoggingModule,
        DatabaseModule,
        DurableModule.forRoot({
          inject: [appConfig.KEY],
          useFactory: (app: AppConfig) => ({
            runWorkers: app.role !== 'api',
            shutdownTimeoutMs: app.shutdownTimeoutMs,
          }),
        }),
        // Modules talk through domain events (payment.succeeded → receipt email), not imports.
        EventEmitterModule.forRoot(),
        SecurityModule,
        HealthModule,
        MonitoringModule,
        ResilienceModule.forRootAsync({
          inject: [resilienceConfig.KEY, appConfig.KEY, redisConfig.KEY],
          useFactory: resilienceOptions,
        }),
        ...features,
        ConsoleModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
