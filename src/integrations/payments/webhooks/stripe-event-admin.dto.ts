import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageOf, PageQuery } from '../../../core/http/pagination';

export const INBOX_FILTERS = ['pending', 'processed', 'dead'] as const;
export type InboxFilter = (typeof INBOX_FILTERS)[number];

export class ListStripeEventsQueryDto extends PageQuery({ defaultLimit: 50, maxLimit: 200 }) {
  @ApiPropertyOptional({
    enum: INBOX_FILTERS,
    description: '`pending` includes rows being processed or waiting for a retry',
  })
  @IsOptional()
  @IsIn([...INBOX_FILTERS])
  status?: InboxFilter;
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

export class StripeEventPageDto extends PageOf(StripeEventRowDto) {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Rows per status in the whole inbox',
  })
  counts!: Record<string, number>;
}
