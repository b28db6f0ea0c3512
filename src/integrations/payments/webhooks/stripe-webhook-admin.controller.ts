import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../../core/errors/api-problem-responses.decorator';
import { RequireScopes } from '../../../core/security/require-scopes.decorator';
import { ListStripeEventsQueryDto, StripeEventPageDto, StripeEventRowDto } from './stripe-event-admin.dto';
import { StripeEventAdminService } from './stripe-event-admin.service';

@ApiTags('admin')
@RequireScopes('admin')
@ApiProblemResponses(401, 403)
@Controller('admin/webhooks/stripe/events')
export class StripeWebhookAdminController {
  constructor(private readonly admin: StripeEventAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Stored Stripe events, newest first, by status (dead | pending | processed)' })
  @ApiOkResponse({ type: StripeEventPageDto })
  @ApiProblemResponses(400)
  list(@Query() query: ListStripeEventsQueryDto): Promise<StripeEventPageDto> {
    return this.admin.list(query);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Process a dead or processed event again (by inbox row id or evt_… id)' })
  @ApiOkResponse({ type: StripeEventRowDto })
  @ApiProblemResponses(404, 409, 503)
  replay(@Param('id') id: string): Promise<StripeEventRowDto> {
    return this.admin.replay(id);
  }
}
