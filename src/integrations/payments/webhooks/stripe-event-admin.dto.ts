import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

export const INBOX_FILTERS = ['pending', 'processed', 'dead'] as const;
export type InboxFilter = (typeof INBOX_FILTERS)[number];

export class ListStripeEventsQueryDto {
  @ApiPropertyOptional({
    enum: INBOX_FILTERS,
    description: '`pending` includes rows being processed or waiting for a retry',
  })
  @IsOptional()
  @IsIn([...INBOX_FILTERS])
  status?: InboxFilter;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @IsOptional()
  @IsUUID()
  cursor?: string;
}

export class StripeEventRowDto {
  @ApiProperty({ description: 'Inbox row id' }) id!: string;
  @ApiProperty({ description: 'Stripe event id (evt_…)' }) eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ enum: ['pending', 'processing', 'done', 'dead'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ enum: ['webhook', 'catch-up'] }) source!: string;
  @ApiProperty() eventCreated!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty({ type: String, nullable: true }) processedAt!: string | null;
}

export class StripeEventPageDto {
  @ApiProperty({ type: [StripeEventRowDto] }) items!: StripeEventRowDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Rows per status in the whole inbox',
  })
  counts!: Record<string, number>;
}
