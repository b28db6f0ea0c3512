import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../core/security/public.decorator';
import { SkipRateLimit } from '../core/security/rate-limit/skip-rate-limit.decorator';
import { type ProviderHealth, ProviderStatusRegistry } from './provider-status.registry';

type Readiness = HealthCheckResult & { providers: Record<string, ProviderHealth> };

@ApiTags('health')
@Public()
@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly providers: ProviderStatusRegistry,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving' })
  @ApiOkResponse({ description: '`{ "status": "ok" }`' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers. Providers are listed (`up`,
   * `not_configured`, `degraded` while a breaker is open) but, being
   * optional, never fail readiness.
   */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database ping plus each provider’s state' })
  @ApiOkResponse({ description: 'Ready; `providers` lists each provider’s state' })
  @ApiServiceUnavailableResponse({ description: 'The database is down (or the app is shutting down)' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<Readiness> {
    const providers = this.providers.snapshot();
    try {
      const result = await this.health.check([() => this.db.pingCheck('database', { timeout: 1_500 })]);
      const degraded = Object.values(providers).some((p) => p.status === 'degraded');
      return { ...result, status: degraded && result.status === 'ok' ? 'degraded' : result.status, providers };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return { ...(error.getResponse() as HealthCheckResult), providers };
    }
  }
}
