import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { Page } from './keyset-page';

/**
 * The base of every list's response DTO: `{ items, nextCursor }`. Extend it
 * with a named class, so the OpenAPI schema keeps that name.
 *
 * @example
 * export class PaymentPageDto extends PageOf(PaymentSummaryDto) {}
 */
export function PageOf<T>(item: Type<T>): Type<Page<T>> {
  class PageDto implements Page<T> {
    @ApiProperty({ type: [item] }) items!: T[];
    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Pass as `cursor` for the next page; null on the last page',
    })
    nextCursor!: string | null;
  }
  return PageDto;
}
