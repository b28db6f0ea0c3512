import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../../core/http/pagination';
import { EMAIL_STATUSES, type EmailStatus } from '../email-status';
import { IsEmailAddress } from './email-validators';

/** `GET /emails` and `GET /admin/emails` filters; newest first, cursor-paginated. */
export class ListEmailsQuery extends PageQuery() {
  @ApiPropertyOptional({ enum: EMAIL_STATUSES })
  @IsOptional()
  @IsIn([...EMAIL_STATUSES])
  status?: EmailStatus;

  @ApiPropertyOptional({ example: 'ada@example.com', description: 'Messages with this recipient (to, cc or bcc)' })
  @IsOptional()
  @IsEmailAddress()
  to?: string;
}
