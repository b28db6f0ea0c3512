import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { databaseConfig } from './database.config';
import { emailConfig } from './email.config';
import { ENV_SPECS, validateEnv } from './env.validation';
import { limitsConfig } from './limits.config';
import type { AnyProviderConfig } from './provider-config';
import { redisConfig } from './redis.config';
import { resilienceConfig } from './resilience.config';
import { telemetryConfig } from './telemetry.config';

/**
 * Loads `.env` when present (real environment variables win), validates the
 * whole environment once, and exposes one typed namespace per concern:
 * inject with `@Inject(appConfig.KEY) cfg: ConfigType<typeof appConfig>`.
 */
@Module({})
export class AppConfigModule {
  /**
   * Built per application so each app (and each test app) validates the environment it starts with.
   * @param providerConfigs the provider modules' own declarations (`declaredProviderConfigs(modules)`),
   *   validated with the app-level namespaces in one pass and loaded globally.
   */
  static forRoot(providerConfigs: readonly AnyProviderConfig[] = []): Promise<DynamicModule> {
    const specs = [...ENV_SPECS, ...providerConfigs.map((config) => config.env)];
    return ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      envFilePath: ['.env'],
      // Tests set their environment explicitly; a developer's .env must not leak into them.
      ignoreEnvFile: process.env.NODE_ENV === 'test',
      validate: (raw) => validateEnv(raw, specs),
      load: [
        appConfig,
        limitsConfig,
        databaseConfig,
        redisConfig,
        resilienceConfig,
        authConfig,
        emailConfig,
        telemetryConfig,
        ...providerConfigs,
      ],
    });
  }
}
