import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { TEMPLATE_ID_PATTERN } from '../../../config/email.config';
import {
  HasNoDuplicateRecipients,
  HasRecipientCount,
  IsEmailAddress,
  IsEmailAddressList,
  IsJsonObjectUpTo,
  IsSendAt,
  IsTextOrHtml,
  MAX_RECIPIENTS,
} from './email-validators';

const NO_LINE_BREAKS = /^[^\r\n]*$/;
/** SendGrid: at most 10 categories per message, ASCII, up to 255 characters each. */
const CATEGORY = /^[\x20-\x7e]{1,255}$/;

/** SendGrid group ids are positive 32-bit integers. */
const MAX_GROUP_ID = 2_147_483_647;

/** A stored file to attach (read from storage when the message is sent). */
export class EmailAttachmentDto {
  @ApiProperty({ example: '01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70', description: 'A file you can read (GET /files/:id)' })
  @IsUUID()
  fileId!: string;

  @ApiPropertyOptional({ example: 'invoice.pdf', description: "Default: the stored file's name" })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  @Matches(/^[^\r\n\/\\]*$/, { message: 'filename must not contain line breaks or slashes' })
  filename?: string;

  // No `default` in the schema: generated clients would then require the field. The default is in the description.
  @ApiPropertyOptional({ enum: ['attachment', 'inline'], description: 'Default: attachment' })
  @IsOptional()
  @IsIn(['attachment', 'inline'])
  disposition?: 'attachment' | 'inline';

  @ApiPropertyOptional({ example: 'logo', description: 'For inline images: referenced as cid:<contentId> in the html' })
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,255}$/, { message: 'contentId must be 1 to 255 visible ASCII characters' })
  contentId?: string;
}

/** Fields both kinds of message share. */
export class EmailEnvelopeDto {
  @ApiPropertyOptional({
    example: 'billing@example.com',
    description: 'Sender address, one of EMAIL_SENDERS your key or user may use; default EMAIL_FROM',
  })
  @IsOptional()
  @IsEmailAddress()
  from?: string;

  @ApiProperty({
    type: [String],
    example: ['ada@example.com'],
    description: `Recipients; to + cc + bcc together 1..${MAX_RECIPIENTS}, each address once`,
  })
  @IsEmailAddressList()
  @HasRecipientCount()
  @HasNoDuplicateRecipients()
  to!: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsEmailAddressList()
  cc?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsEmailAddressList()
  bcc?: string[];

  @ApiPropertyOptional({ example: 'support@example.com', description: 'Default: EMAIL_REPLY_TO' })
  @IsOptional()
  @IsEmailAddress()
  replyTo?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['welcome'],
    description: 'SendGrid categories: up to 10, ASCII, 1..255 characters each',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @Matches(CATEGORY, { each: true, message: 'each category must be 1 to 255 printable ASCII characters' })
  categories?: string[];

  @ApiPropertyOptional({
    example: '2026-01-31T09:00:00Z',
    description: 'Scheduled delivery (SendGrid send_at), at most 72 hours ahead',
  })
  @IsOptional()
  @IsSendAt()
  sendAt?: string;

  @ApiPropertyOptional({
    example: 123,
    description:
      "SendGrid unsubscribe group (asm.group_id); default: the group of the message's first category in config",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_GROUP_ID)
  asmGroupId?: number;

  @ApiPropertyOptional({
    type: [Number],
    description: 'Groups shown on the unsubscribe page (asm.groups_to_display), up to 25',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(25)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_GROUP_ID, { each: true })
  asmGroupsToDisplay?: number[];

  @ApiPropertyOptional({
    description:
      'Default false. Transactional mail: send even to addresses that unsubscribed from the group (never to bounced or spam-reporting ones)',
  })
  @IsOptional()
  @IsBoolean()
  bypassGroupUnsubscribes?: boolean;

  @ApiPropertyOptional({ type: [EmailAttachmentDto], description: 'Stored files, 30 MB in total after encoding' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => EmailAttachmentDto)
  attachments?: EmailAttachmentDto[];
}

/** `POST /emails`: a message with its own content. */
export class SendEmailDto extends EmailEnvelopeDto {
  @ApiProperty({ example: 'Welcome to Portico', minLength: 1, maxLength: 998, description: 'One line (no CR/LF)' })
  @IsString()
  @Length(1, 998)
  @Matches(NO_LINE_BREAKS, { message: 'subject must not contain line breaks (CR or LF)' })
  subject!: string;

  @ApiPropertyOptional({ description: 'Plain-text body; text or html (or both) is required' })
  @IsTextOrHtml()
  text?: string;

  @ApiPropertyOptional({ description: 'HTML body' })
  @IsOptional()
  @IsString()
  @MaxLength(5_000_000)
  html?: string;
}

/** `POST /emails/template`: a SendGrid dynamic template filled with data. */
export class SendTemplateEmailDto extends EmailEnvelopeDto {
  @ApiProperty({
    example: 'd-0123456789abcdef0123456789abcdef',
    description: 'SendGrid dynamic template id: d- and 32 hex digits',
  })
  @Matches(TEMPLATE_ID_PATTERN, { message: 'templateId must be a SendGrid dynamic template id (d- and 32 hex digits)' })
  templateId!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { name: 'Ada' },
    description: 'Template data, at most 10,000 bytes as JSON',
  })
  @IsOptional()
  @IsJsonObjectUpTo(10_000)
  dynamicTemplateData?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Overrides the template subject when the template uses {{subject}}; one line' })
  @IsOptional()
  @IsString()
  @Length(1, 998)
  @Matches(NO_LINE_BREAKS, { message: 'subject must not contain line breaks (CR or LF)' })
  subject?: string;
}
