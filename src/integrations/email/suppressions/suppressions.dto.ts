import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageOf, PageQuery } from '../../../core/http/pagination';
import { IsEmailAddress } from '../dto/email-validators';
import { SUPPRESSION_REASONS, type SuppressionReason } from '../entities/email-suppression.entity';

/** `GET /admin/email-suppressions` filters; newest first, cursor-paginated. */
export class ListSuppressionsQuery extends PageQuery() {
  @ApiPropertyOptional({ enum: SUPPRESSION_REASONS })
  @IsOptional()
  @IsIn([...SUPPRESSION_REASONS])
  reason?: SuppressionReason;

  @ApiPropertyOptional({ example: 'ada@example.com' })
  @IsOptional()
  @IsEmailAddress()
  address?: string;
}

/** `POST /admin/email-suppressions`: an address suppressed by hand (globally, or for one group). */
export class CreateSuppressionDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmailAddress()
  address!: string;

  @ApiPropertyOptional({ example: 123, description: 'Only for this unsubscribe group; default: every message' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  groupId?: number;
}

export class SuppressionView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'ada@example.com' }) address!: string;
  @ApiProperty({ enum: SUPPRESSION_REASONS }) reason!: SuppressionReason;
  @ApiPropertyOptional({ type: 'integer', nullable: true }) groupId!: number | null;
  @ApiProperty({ example: 'webhook:evt-1', description: 'webhook:<sg_event_id>, sync:<list> or manual:<owner>' })
  source!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() createdAt!: string;
}

export class SuppressionPageView extends PageOf(SuppressionView) {}

export class SuppressionsRemovedView {
  @ApiProperty({ example: 'ada@example.com' }) address!: string;
  @ApiProperty({ description: 'Ledger entries removed (each lifted at SendGrid first)' }) removed!: number;
}
