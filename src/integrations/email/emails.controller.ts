import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblemResponses } from '../../core/errors/api-problem-responses.decorator';
import { ProblemException } from '../../core/errors/problem.exception';
import { CurrentPrincipal, type Principal, RequireScopes, ownerIdOf } from '../../core/security';
import { EmailAcceptedView, EmailCancelledView, EmailDetailView, EmailPageView } from './dto/email.views';
import { ScheduledSends } from './scheduling/scheduled-sends';
import { AttachmentPolicy } from './attachments/attachment-policy';
import { ListEmailsQuery } from './dto/list-emails.query';
import { type EmailEnvelopeDto, SendEmailDto, SendTemplateEmailDto } from './dto/send-email.dto';
import { SenderPolicy } from './senders/sender-policy';
import { toDetailView } from './email.mapper';
import { EmailQuota } from './email-quota';
import { EmailsService, type EmailReader, type NewEmail } from './emails.service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Send messages (queued in the durable outbox) and read their delivery state. */
@ApiTags('emails')
@Controller('emails')
export class EmailsController {
  constructor(
    private readonly emails: EmailsService,
    private readonly quota: EmailQuota,
    private readonly senders: SenderPolicy,
    private readonly scheduled: ScheduledSends,
    private readonly attachmentPolicy: AttachmentPolicy,
  ) {}

  @Post()
  @RequireScopes('emails:send')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a message with its own content (text and/or html)' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Repeating a key returns the first message instead of queueing another',
  })
  @ApiAcceptedResponse({ type: EmailAcceptedView, description: 'Stored in the outbox; sent shortly' })
  @ApiProblemResponses(400, 401, 403, 404, 413)
  async send(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SendEmailDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EmailAcceptedView> {
    return this.accept(principal, res, key, body, {
      kind: 'plain',
      ...envelope(body),
      subject: body.subject,
      text: body.text,
      html: body.html,
    });
  }

  @Post('template')
  @RequireScopes('emails:send')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a message rendered by a SendGrid dynamic template' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Repeating a key returns the first message instead of queueing another',
  })
  @ApiAcceptedResponse({ type: EmailAcceptedView, description: 'Stored in the outbox; sent shortly' })
  @ApiProblemResponses(400, 401, 403, 404, 413)
  async sendTemplate(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SendTemplateEmailDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EmailAcceptedView> {
    return this.accept(principal, res, key, body, {
      kind: 'template',
      ...envelope(body),
      subject: body.subject,
      templateId: body.templateId.toLowerCase(),
      templateData: body.dynamicTemplateData ?? {},
    });
  }

  @Post(':id/cancel')
  @RequireScopes('emails:send')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a scheduled message before its sendAt (in our outbox, or its SendGrid batch once handed over)',
  })
  @ApiOkResponse({ type: EmailCancelledView })
  @ApiProblemResponses(401, 403, 404, 409, 502, 503)
  async cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<EmailCancelledView> {
    const { row } = await this.emails.find(readerOf(principal), id);
    await this.scheduled.cancel(row);
    return { id: row.id, status: 'cancelled' };
  }

  @Get(':id')
  @RequireScopes('emails:read')
  @ApiOperation({ summary: 'A message with its status history, provider message id, attempts and last error' })
  @ApiOkResponse({ type: EmailDetailView })
  @ApiProblemResponses(401, 404)
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<EmailDetailView> {
    const { row, events } = await this.emails.find(readerOf(principal), id);
    return toDetailView(row, events);
  }

  @Get()
  @RequireScopes('emails:read')
  @ApiOperation({ summary: 'Your messages, newest first (admins see all)' })
  @ApiOkResponse({ type: EmailPageView })
  @ApiProblemResponses(400, 401)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListEmailsQuery): Promise<EmailPageView> {
    return this.emails.list(readerOf(principal), query);
  }

  private async accept(
    principal: Principal,
    res: Response,
    key: string | undefined,
    body: EmailEnvelopeDto,
    input: NewEmail,
  ): Promise<EmailAcceptedView> {
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new ProblemException(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
        slug: 'invalid-idempotency-key',
        title: 'Invalid Idempotency-Key',
      });
    }
    if (
      body.asmGroupsToDisplay !== undefined &&
      body.asmGroupId === undefined &&
      !this.emails.hasDefaultGroup(body.categories)
    )
      throw new ProblemException(400, 'asmGroupsToDisplay needs asmGroupId (or a category with a default group)', {
        slug: 'asm-group-required',
        title: 'Unsubscribe group required',
      });
    const from = this.senders.resolve(principal, body.from);
    const attachments = await this.attachmentPolicy.resolve(principal, body.attachments);
    const recipients = input.to.length + (input.cc?.length ?? 0) + (input.bcc?.length ?? 0);
    const row = await this.emails.queue(
      ownerIdOf(principal),
      {
        ...input,
        from,
        asmGroupId: body.asmGroupId,
        asmGroupsToDisplay: body.asmGroupsToDisplay,
        bypassGroupUnsubscribes: body.bypassGroupUnsubscribes,
        attachments,
        idempotencyKey: key,
      },
      () => this.quota.assertRoomFor(principal, recipients),
    );
    res.setHeader('Location', `/emails/${row.id}`);
    return { id: row.id, status: row.emailStatus === 'suppressed' ? 'suppressed' : 'queued' };
  }
}

export function readerOf(principal: Principal): EmailReader {
  return { ownerId: ownerIdOf(principal), admin: principal.admin };
}

function envelope(
  body: SendEmailDto | SendTemplateEmailDto,
): Pick<NewEmail, 'to' | 'cc' | 'bcc' | 'replyTo' | 'categories' | 'sendAt'> {
  return {
    to: body.to,
    cc: body.cc,
    bcc: body.bcc,
    replyTo: body.replyTo,
    categories: body.categories,
    sendAt: body.sendAt === undefined ? undefined : new Date(body.sendAt),
  };
}
