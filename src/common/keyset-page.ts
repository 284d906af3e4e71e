import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidInputError } from './domain-errors';
import { decodeCursor, Page, toPage } from './pagination';
import { isUuid } from './uuid';

interface NewestFirst {
  id: string;
  createdAt: Date;
}

/**
 * One page of a newest-first list, by keyset `(created_at, id)` DESC: stable while rows are inserted, and
 * served by the `(…, created_at DESC, id DESC)` indexes. `created_at` is written by the app at millisecond
 * precision, so the ISO timestamp in the cursor compares exactly.
 */
export async function newestFirstPage<Entity extends NewestFirst & ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
  limit: number,
  cursor: string | undefined,
): Promise<Page<Entity>> {
  const alias = query.alias;
  if (cursor) {
    const [createdAt, id] = decodeCursor(cursor, ['string', 'string']) as [string, string];
    // Only what this code writes: a UUID and an ISO timestamp that round-trips exactly (so PostgreSQL parses it).
    if (!isUuid(id) || !isExactIsoTimestamp(createdAt)) throw new InvalidInputError('cursor is invalid');
    query.andWhere(`(${alias}.created_at, ${alias}.id) < (:cursorCreatedAt, :cursorId)`, {
      cursorCreatedAt: createdAt,
      cursorId: id,
    });
  }
  const rows = await query
    .orderBy(`${alias}.created_at`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(limit + 1)
    .getMany();
  return toPage(
    rows,
    limit,
    (row) => row,
    (row) => [row.createdAt.toISOString(), row.id],
  );
}

function isExactIsoTimestamp(value: string): boolean {
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}
