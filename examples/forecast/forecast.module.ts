import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ProviderConfigModule } from '../../src/config/provider-config';
import { HttpClientModule } from '../../src/integrations/http-client/http-client.module';
import { forecastConfig } from './forecast.config';
import { ForecastController } from './forecast.controller';
import { ForecastWeatherAdapter } from './forecast-weather.adapter';

/** `GET /forecast/:city`; resilience, metrics and the `forecast` readiness entry come with the client. */
@Module({
  imports: [
    ProviderConfigModule.forFeature(forecastConfig),
    HttpClientModule.registerAsync({
      name: 'forecast',
      inject: [forecastConfig.KEY],
      useFactory: (config: ConfigType<typeof forecastConfig>) => ({
        baseUrl: config.apiUrl,
        auth: { type: 'header', name: 'x-api-key', value: config.apiKey ?? '' },
        missingConfig: config.missing,
        timeoutMs: config.timeoutMs,
      }),
    }),
  ],
  controllers: [ForecastController],
  providers: [ForecastWeatherAdapter],
})
export class ForecastModule {}
