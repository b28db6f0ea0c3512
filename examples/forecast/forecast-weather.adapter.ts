import { Injectable } from '@nestjs/common';
import { Monitored } from '../../src/core/monitoring/monitored.decorator';
import { Resilient } from '../../src/core/resilience/resilient.decorator';
import type { HttpClient } from '../../src/integrations/http-client/http-client';
import { InjectHttpClient } from '../../src/integrations/http-client/http-client.module';

export type Forecast = { readonly city: string; readonly temperatureC: number; readonly summary: string };

/** Forecast's weather API. One adapter, so the class is the port; add an interface + token for a second vendor. */
@Injectable()
export class ForecastWeatherAdapter {
  constructor(@InjectHttpClient('forecast') private readonly http: HttpClient) {}

  @Resilient('forecast')
  @Monitored('forecast', 'forecast.get')
  async forecastFor(city: string): Promise<Forecast> {
    const answer = await this.http.get<{ temp_c: number; summary: string }>(`/v1/forecast/${encodeURIComponent(city)}`);
    return { city, temperatureC: answer.temp_c, summary: answer.summary };
  }
}
