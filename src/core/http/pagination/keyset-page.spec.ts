import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { uuidv7 } from '../../database/ids';
import { type Page, type PageRequest, keysetPage } from './keyset-page';
import { InvalidCursorException, encodeCursor } from './page-cursor';
import { PageQuery } from './page-query.dto';

@Entity({ name: 'things' })
class Thing {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 10 }) owner!: string;
}

/** Real SQLite through TypeORM, as the app runs it; the e2e lists cover PostgreSQL. */
describe(keysetPage.name, () => {
  let dir: string;
  let dataSource: DataSource;
  const ids: string[] = [];
  const query = () => dataSource.getRepository(Thing).createQueryBuilder('t').where("t.owner = 'me'");
  const all = async (limit: number, order?: 'newest-first' | 'oldest-first'): Promise<string[][]> => {
    const pages: string[][] = [];
    let page: Page<Thing> | undefined;
    do {
      const request: PageRequest = { limit, cursor: page?.nextCursor ?? undefined };
      page = await keysetPage(query(), request, { list: 'things', order });
      pages.push(page.items.map((thing) => thing.id));
    } while (page.nextCursor !== null);
    return pages;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portico-page-'));
    dataSource = new DataSource({ type: 'better-sqlite3', database: join(dir, 'p.sqlite'), entities: [Thing] });
    await dataSource.initialize();
    await dataSource.synchronize();
    // Seven rows created in the same millisecond (ties on creation time), then three later ones.
    const tied = Date.UTC(2026, 10, 29, 12);
    for (let i = 0; i < 7; i += 1) ids.push(uuidv7(tied));
    for (let i = 1; i <= 3; i += 1) ids.push(uuidv7(tied + i));
    await dataSource.getRepository(Thing).insert(ids.map((id) => ({ id, owner: 'me' })));
    await dataSource.getRepository(Thing).insert({ id: uuidv7(tied), owner: 'someone else' });
  });
  afterAll(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages newest first through rows that share a creation time, each row exactly once', async () => {
    const pages = await all(3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
    expect(pages.flat()).toEqual([...ids].sort().reverse());
  });

  it('pages oldest first the same way', async () => {
    expect((await all(4, 'oldest-first')).flat()).toEqual([...ids].sort());
  });

  it('gives no next cursor when the page is exactly the rest', async () => {
    const page = await keysetPage(query(), { limit: ids.length }, { list: 'things' });
    expect(page.items).toHaveLength(ids.length);
    expect(page.nextCursor).toBeNull();
  });

  it('keeps the caller’s filters on every page', async () => {
    expect((await all(2)).flat()).toHaveLength(ids.length);
  });

  it('refuses a cursor issued by another list', async () => {
    await expect(
      keysetPage(query(), { limit: 2, cursor: encodeCursor('payments', ids[0]) }, { list: 'things' }),
    ).rejects.toBeInstanceOf(InvalidCursorException);
  });
});

describe(PageQuery.name, () => {
  class Bounded extends PageQuery({ defaultLimit: 5, maxLimit: 10 }) {}
  const check = (plain: Record<string, unknown>) => {
    const dto = plainToInstance(Bounded, plain);
    return { dto, errors: validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }) };
  };

  it('defaults the limit and accepts 1..max', () => {
    expect(check({}).dto.limit).toBe(5);
    expect(check({ limit: '1' })).toMatchObject({ dto: { limit: 1 }, errors: [] });
    expect(check({ limit: '10' })).toMatchObject({ dto: { limit: 10 }, errors: [] });
  });

  it.each(['0', '11', '-1', '2.5', 'abc'])('refuses limit=%s', (limit) => {
    expect(check({ limit }).errors.map((error) => error.property)).toEqual(['limit']);
  });

  it('refuses a cursor that is not base64url before it is decoded', () => {
    const { errors } = check({ cursor: '%00' });
    expect(errors[0].constraints).toEqual({ matches: 'cursor is not a cursor this API returned' });
  });
});
