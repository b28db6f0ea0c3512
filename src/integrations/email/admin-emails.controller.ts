import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../core/errors/api-problem-responses.decorator';
import { RequireScopes } from '../../core/security';
import { EmailAcceptedView, EmailPageView } from './dto/email.views';
import { ListEmailsQuery } from './dto/list-emails.query';
import { EmailsService } from './emails.service';

/** Operators: every owner's messages, and replay of dead-lettered ones. */
@ApiTags('admin')
@RequireScopes('admin')
@Controller('admin/emails')
export class AdminEmailsController {
  constructor(private readonly emails: EmailsService) {}

  @Get()
  @ApiOperation({ summary: 'All messages, newest first; `?status=failed` lists the dead-lettered ones' })
  @ApiOkResponse({ type: EmailPageView })
  @ApiProblemResponses(400, 401, 403)
  async list(@Query() query: ListEmailsQuery): Promise<EmailPageView> {
    return this.emails.list({ ownerId: '', admin: true }, query);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a failed message again (attempts reset)' })
  @ApiAcceptedResponse({ type: EmailAcceptedView })
  @ApiProblemResponses(401, 403, 404, 409)
  async retry(@Param('id') id: string): Promise<EmailAcceptedView> {
    const row = await this.emails.retry(id);
    return { id: row.id, status: 'queued' };
  }
}
