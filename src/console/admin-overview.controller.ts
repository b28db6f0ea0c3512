import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../core/errors/api-problem-responses.decorator';
import { RequireScopes } from '../core/security/require-scopes.decorator';
import { OverviewDto } from './overview.dto';
import { OverviewService } from './overview.service';

/** The operator console's live figures (the console at /console polls it). */
@ApiTags('admin')
@RequireScopes('admin')
@ApiProblemResponses(401, 403)
@Controller('admin/overview')
export class AdminOverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiOperation({
    summary: 'Providers (readiness, breaker, call rate, error rate, p95 over the last minute) and durable queues',
  })
  @ApiOkResponse({ type: OverviewDto })
  get(): Promise<OverviewDto> {
    return this.overview.overview();
  }
}
