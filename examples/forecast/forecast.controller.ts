import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { type Forecast, ForecastWeatherAdapter } from './forecast-weather.adapter';

class CityParams {
  @Matches(/^[\p{L} .'-]{1,80}$/u, { message: 'city must be a place name of at most 80 letters' })
  city!: string;
}

/** Callers need an API key or a session (the global guard's default). */
@ApiTags('forecast')
@Controller('forecast')
export class ForecastController {
  constructor(private readonly forecasts: ForecastWeatherAdapter) {}

  @Get(':city')
  get(@Param() params: CityParams): Promise<Forecast> {
    return this.forecasts.forecastFor(params.city);
  }
}
