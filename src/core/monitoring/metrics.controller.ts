import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, Inject, Logger, UnauthorizedException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry, prometheusContentType } from 'prom-client';
import { appConfig } from '../../config/app.config';
import { ApiProblemResponses } from '../errors/api-problem-responses.decorator';
import { Public } from '../security/public.decorator';

/**
 * Prometheus scrape endpoint. Not behind API keys (scrapers do not hold
 * one); when `METRICS_TOKEN` is set it needs `Authorization: Bearer <token>`.
 * Without a token it is open only outside production or with
 * METRICS_PUBLIC=true; a production app with neither answers 401 (and says
 * so at start-up) rather than refusing to start over a monitoring setting.
 */
@ApiTags('monitoring')
@Controller('metrics')
export class MetricsController {
  private readonly token?: Buffer;
  private readonly closed: boolean;

  constructor(
    private readonly registry: Registry,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
  ) {
    this.token = app.metricsToken === undefined ? undefined : Buffer.from(app.metricsToken);
    this.closed = this.token === undefined && !app.metricsPublic;
    if (this.closed) {
      new Logger('Metrics').warn('GET /metrics answers 401: set METRICS_TOKEN, or METRICS_PUBLIC=true to open it');
    }
  }

  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', prometheusContentType)
  @ApiOperation({
    summary: 'Prometheus metrics (text format); `Authorization: Bearer $METRICS_TOKEN` when that is set',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Metrics in the Prometheus text exposition format' })
  @ApiProblemResponses(401)
  async metrics(@Headers('authorization') authorization?: string): Promise<string> {
    this.authorize(authorization);
    return this.registry.metrics();
  }

  private authorize(authorization: string | undefined): void {
    if (this.closed) {
      throw new UnauthorizedException('The metrics endpoint is closed: the operator must set METRICS_TOKEN');
    }
    if (this.token === undefined) return;
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    const given = Buffer.from(presented ?? '');
    if (given.length !== this.token.length || !timingSafeEqual(given, this.token)) {
      throw new UnauthorizedException('The metrics endpoint needs Authorization: Bearer <METRICS_TOKEN>');
    }
  }
}
