import type { Type } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformTo } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import type { PageRequest } from './keyset-page';
import { CURSOR_PATTERN } from './page-cursor';

export interface PageQueryOptions {
  /** Items per page when the caller gives no `limit` (20). */
  readonly defaultLimit?: number;
  /** The largest `limit` accepted; more answers 400 (100). */
  readonly maxLimit?: number;
}

/**
 * The base of every list's query DTO: `limit` (defaulted, 1..max, anything
 * else 400) and `cursor` (the previous page's `nextCursor`).
 *
 * @example
 * export class ListPaymentsQueryDto extends PageQuery() { status?: string }
 * export class ListStripeEventsQueryDto extends PageQuery({ defaultLimit: 50, maxLimit: 200 }) {}
 */
export function PageQuery(options: PageQueryOptions = {}): Type<PageRequest & { limit: number }> {
  const { defaultLimit = 20, maxLimit = 100 } = options;

  class PageQueryDto implements PageRequest {
    @ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: maxLimit,
      default: defaultLimit,
      description: 'Items per page',
    })
    @IsOptional()
    @TransformTo(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxLimit)
    limit: number = defaultLimit;

    @ApiPropertyOptional({ description: '`nextCursor` of the previous page (opaque)' })
    @IsOptional()
    @IsString()
    @Matches(CURSOR_PATTERN, { message: 'cursor is not a cursor this API returned' })
    cursor?: string;
  }
  return PageQueryDto;
}
