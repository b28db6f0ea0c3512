import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '../../../core/http/pagination';
import { EMAIL_STATUSES, type EmailStatus } from '../email-status';

export class EmailAcceptedView {
  @ApiProperty({ example: '01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70' }) id!: string;
  @ApiProperty({
    enum: ['queued', 'suppressed'],
    description: 'suppressed: every recipient is on the suppression ledger; stored, never sent',
  })
  status!: 'queued' | 'suppressed';
}

export class EmailCancelledView {
  @ApiProperty({ example: '01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70' }) id!: string;
  @ApiProperty({ enum: ['cancelled'] }) status!: 'cancelled';
}

export class EmailHistoryEntryView {
  @ApiProperty({ enum: EMAIL_STATUSES }) status!: EmailStatus;
  @ApiProperty() at!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) detail?: Record<string, unknown>;
}

export class EmailSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: EMAIL_STATUSES }) status!: EmailStatus;
  @ApiProperty({ enum: ['plain', 'template'] }) kind!: 'plain' | 'template';
  @ApiProperty({ type: [String] }) to!: string[];
  @ApiPropertyOptional({ type: 'string', nullable: true }) subject!: string | null;
  @ApiPropertyOptional({ type: 'string', nullable: true }) templateId!: string | null;
  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    description: 'SendGrid X-Message-Id (log:<id> for the log transport)',
  })
  providerMessageId!: string | null;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ type: 'string', nullable: true }) lastError!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ type: 'string', nullable: true }) sentAt!: string | null;
}

class EmailAddressView {
  @ApiProperty({ example: 'shop@example.com' }) email!: string;
  @ApiPropertyOptional({ example: 'The Shop' }) name?: string;
}

class RecipientsView {
  @ApiProperty({ type: [String] }) to!: string[];
  @ApiProperty({ type: [String] }) cc!: string[];
  @ApiProperty({ type: [String] }) bcc!: string[];
}

class EmailAttachmentView {
  @ApiProperty() fileId!: string;
  @ApiProperty() filename!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty({ description: 'Bytes as stored (before base64)' }) size!: number;
  @ApiProperty({ enum: ['attachment', 'inline'] }) disposition!: 'attachment' | 'inline';
  @ApiPropertyOptional() contentId?: string;
}

export class EmailDetailView extends EmailSummaryView {
  @ApiProperty({ type: () => EmailAddressView }) from!: { email: string; name?: string };
  @ApiPropertyOptional({ type: 'string', nullable: true }) replyTo!: string | null;
  @ApiProperty({ type: [String] }) cc!: string[];
  @ApiProperty({ type: [String] }) bcc!: string[];
  @ApiPropertyOptional({
    type: () => RecipientsView,
    nullable: true,
    description: 'Recipients asked for, when EMAIL_REDIRECT_ALL_TO redirected the message',
  })
  originalRecipients!: { to: string[]; cc: string[]; bcc: string[] } | null;
  @ApiPropertyOptional({ type: 'string', nullable: true }) text!: string | null;
  @ApiPropertyOptional({ type: 'string', nullable: true }) html!: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) dynamicTemplateData!: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ type: [String] }) categories!: string[];
  @ApiPropertyOptional({ type: 'string', nullable: true }) sendAt!: string | null;
  @ApiPropertyOptional({ type: 'string', nullable: true, enum: ['sendgrid', 'log'] }) transport!: string | null;
  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'SendGrid unsubscribe group (asm.group_id)' })
  asmGroupId!: number | null;
  @ApiProperty({ type: [Number] }) asmGroupsToDisplay!: number[];
  @ApiProperty() bypassGroupUnsubscribes!: boolean;
  @ApiProperty({ type: [EmailAttachmentView] }) attachments!: EmailAttachmentView[];
  @ApiProperty({ type: [EmailHistoryEntryView] }) history!: EmailHistoryEntryView[];
}

export class EmailPageView extends PageOf(EmailSummaryView) {}
