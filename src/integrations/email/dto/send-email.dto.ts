import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
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

/** Fields both kinds of message share. */
export class EmailEnvelopeDto {
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
