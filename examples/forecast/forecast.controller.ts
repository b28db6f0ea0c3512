import { Controller, Get, Param } from '@nestjs/common';
import { Matches } from 'class-validator';
import { Authenticated } from '../../src/core/security';
import { type Forecast, ForecastWeatherAdapter } from './forecast-weather.adapter';

class CityParams {
  @Matches(/^[\p{L} .'-]{1,80}$/u, { message: 'city must be a place name of at most 80 letters' })
  city!: string;
}

/** Every route declares its callers (else only `admin`): any API key or session, as forecasts belong to nobody. */
@Authenticated()
@Controller('forecast')
export class ForecastController {
  constructor(private readonly forecasts: ForecastWeatherAdapter) {}

  @Get(':city')
  get(@Param() params: CityParams): Promise<Forecast> {
    return this.forecasts.forecastFor(params.city);
  }
}
