import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { EMAIL_STATUSES, type EmailStatus } from '../email-status';
import { IsEmailAddress } from './email-validators';

/** `GET /emails` and `GET /admin/emails` filters; newest first, cursor-paginated. */
export class ListEmailsQuery {
  @ApiPropertyOptional({ enum: EMAIL_STATUSES })
  @IsOptional()
  @IsIn([...EMAIL_STATUSES])
  status?: EmailStatus;

  @ApiPropertyOptional({ example: 'ada@example.com', description: 'Messages with this recipient (to, cc or bcc)' })
  @IsOptional()
  @IsEmailAddress()
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'cursor is not a cursor this API returned' })
  cursor?: string;
}
