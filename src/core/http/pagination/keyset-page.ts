import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, encodeCursor } from './page-cursor';

/** What a list endpoint was asked for (a `PageQuery` DTO gives both, with the limit defaulted and bounded). */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** The one response shape of every list: a page of items and the cursor of the next page (null on the last). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface KeysetOptions {
  /** Names the list inside the cursor, so one list's cursor is refused by another. */
  readonly list: string;
  /** Newest first (the default) or oldest first. */
  readonly order?: 'newest-first' | 'oldest-first';
}

/**
 * Runs `query` (filters already applied) for one page, in keyset order.
 *
 * The keyset is the row id alone: every listed table has a UUIDv7 primary
 * key, which starts with the creation millisecond and ends in random bits,
 * so `ORDER BY id` is creation order with ties inside a millisecond broken,
 * and the primary-key index serves it on SQLite and PostgreSQL alike.
 * `created_at` is not used: the database fills it at different precisions
 * (seconds as text on SQLite, microseconds on PostgreSQL) that a JavaScript
 * Date cannot carry back exactly, so a `(created_at, id)` cursor would skip
 * or repeat rows that share a second.
 *
 * @throws InvalidCursorException (400) for a cursor this list did not issue.
 * @example
 * const page = await keysetPage(this.payments.createQueryBuilder('p').where(...), query, { list: 'payments' });
 */
export async function keysetPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  request: PageRequest,
  options: KeysetOptions,
): Promise<Page<T>> {
  const newestFirst = (options.order ?? 'newest-first') === 'newest-first';
  const id = `${query.alias}.id`;
  if (request.cursor !== undefined) {
    const after = decodeCursor(options.list, request.cursor);
    query.andWhere(`${id} ${newestFirst ? '<' : '>'} :pageAfterId`, { pageAfterId: after });
  }
  // One row more than asked tells whether there is a next page without a COUNT.
  const rows = await query
    .orderBy(id, newestFirst ? 'DESC' : 'ASC')
    .take(request.limit + 1)
    .getMany();
  const items = rows.slice(0, request.limit);
  const more = rows.length > request.limit;
  return { items, nextCursor: more ? encodeCursor(options.list, items[items.length - 1].id) : null };
}

/** The page with each item mapped (entity → response view); the cursor is unchanged. */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}
