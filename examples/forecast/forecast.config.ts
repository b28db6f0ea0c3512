import { IsOptional, IsString } from 'class-validator';
import { int, str } from '../../src/config/env.parse';
import { EmptyAsUndefined, IsHttpUrl, IsIntString } from '../../src/config/env.validators';
import { defineProviderConfig } from '../../src/config/provider-config';

class ForecastEnv {
  @EmptyAsUndefined() @IsOptional() @IsString() FORECAST_API_KEY?: string;
  @EmptyAsUndefined() @IsOptional() @IsHttpUrl() FORECAST_API_URL?: string;
  @EmptyAsUndefined() @IsOptional() @IsIntString(50, 60_000) FORECAST_TIMEOUT_MS?: string;
}

/** Forecast's variables, the group that turns it on, its secret and defaults: all in one place. */
export const forecastConfig = defineProviderConfig({
  namespace: 'forecast',
  label: 'weather forecasts (Forecast)',
  schema: ForecastEnv,
  required: ['FORECAST_API_KEY'],
  optional: ['FORECAST_API_URL'],
  secrets: ['FORECAST_API_KEY'],
  load: (env) => ({
    apiKey: str(env.FORECAST_API_KEY),
    apiUrl: str(env.FORECAST_API_URL, 'https://api.forecast.example'),
    timeoutMs: int(env.FORECAST_TIMEOUT_MS, 2_000),
  }),
});
