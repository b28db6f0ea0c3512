import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export class ProviderOverviewDto {
  @ApiProperty({ example: 's3' }) name!: string;
  @ApiProperty({
    enum: ['up', 'not_configured', 'degraded', 'unknown'],
    description: 'What /health/ready says (`unknown`: calls recorded, no readiness probe)',
  })
  readiness!: string;
  @ApiProperty({ enum: ['closed', 'half_open', 'open'] }) breaker!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Calls per minute over the window' })
  callsPerMinute!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Share of calls in the window that failed (0–1)' })
  errorRate!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '95th percentile call duration in the window (ms)' })
  p95Ms!: number | null;
  @ApiProperty({ description: 'Calls since the process started' }) callsTotal!: number;
  @ApiProperty({ description: 'Failed calls since the process started' }) errorsTotal!: number;
}

export class QueueOverviewDto {
  @ApiProperty({ example: 'stripe-events' }) name!: string;
  @ApiProperty() pending!: number;
  @ApiProperty() processing!: number;
  @ApiProperty() done!: number;
  @ApiProperty() dead!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds since the oldest waiting row was stored' })
  oldestPendingAgeSeconds!: number | null;
}

export class OverviewDto {
  @ApiProperty() generatedAt!: string;
  @ApiProperty({ description: 'Length of the window the rates cover (seconds; up to 60)' }) windowSeconds!: number;
  @ApiProperty({ type: [ProviderOverviewDto] }) providers!: ProviderOverviewDto[];
  @ApiProperty({ type: [QueueOverviewDto] }) queues!: QueueOverviewDto[];
}

const QUEUE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class ListDeadLettersQuery {
  @ApiPropertyOptional({ description: 'Only this queue (see /admin/overview); all queues when omitted' })
  @IsOptional()
  @Matches(QUEUE_NAME, { message: 'queue must be a queue name (lowercase letters, digits, dashes)' })
  queue?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50, description: 'Newest rows per queue' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class DeadLetterParams {
  @Matches(QUEUE_NAME, { message: 'queue must be a queue name (lowercase letters, digits, dashes)' })
  queue!: string;

  @Matches(/^[0-9a-f-]{36}$/, { message: 'id must be a row id (UUID)' })
  id!: string;
}

export class DeadLetterDto {
  @ApiProperty({ example: 'stripe-events' }) queue!: string;
  @ApiProperty({ description: 'Row id' }) id!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: 'When it was dead-lettered' }) deadAt!: string;
  @ApiProperty({ description: 'The start of its payload (at most 400 characters)' }) preview!: string;
  @ApiProperty({ description: 'Where to POST to replay it (emails have their own retry route)' }) replayPath!: string;
}

export class DeadLetterListDto {
  @ApiProperty({ type: [DeadLetterDto], description: 'Newest first' }) items!: DeadLetterDto[];
}

export class ReplayedDto {
  @ApiProperty() queue!: string;
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['pending'] }) status!: string;
}
