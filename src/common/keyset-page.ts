import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidInputError } from './domain-errors';
import { isCanonicalIsoTimestamp } from './iso-timestamp';
import { decodeCursor, Page, toPage } from './pagination';
import { isUuid } from './uuid';

export interface NewestFirst {
  id: string;
  createdAt: Date;
}

/** Where a newest-first page starts: strictly after this `(created_at, id)`. */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

/** Reads up to `take` rows newest first by `(created_at, id)` DESC, after `position` when given. */
export type NewestFirstFetch<Row> = (position: KeysetPosition | undefined, take: number) => Promise<Row[]>;

/**
 * One page of a newest-first list, by keyset `(created_at, id)` DESC: stable while rows are inserted, and
 * served by the `(…, created_at DESC, id DESC)` indexes. `created_at` is written by the app at millisecond
 * precision, so the ISO timestamp in the cursor compares exactly.
 */
export async function newestFirstPageOf<Row extends NewestFirst>(
  fetch: NewestFirstFetch<Row>,
  limit: number,
  cursor: string | undefined,
): Promise<Page<Row>> {
  const rows = await fetch(cursor ? positionOf(cursor) : undefined, limit + 1);
  return toPage(
    rows,
    limit,
    (row) => row,
    (row) => [row.createdAt.toISOString(), row.id],
  );
}

/** The same page through a TypeORM query builder (lists outside the hot path, e.g. the tenant registry). */
export function newestFirstPage<Entity extends NewestFirst & ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
  limit: number,
  cursor: string | undefined,
): Promise<Page<Entity>> {
  const alias = query.alias;
  return newestFirstPageOf(async (position, take) => {
    if (position) {
      query.andWhere(`(${alias}.created_at, ${alias}.id) < (:cursorCreatedAt, :cursorId)`, {
        cursorCreatedAt: position.createdAt,
        cursorId: position.id,
      });
    }
    return query.orderBy(`${alias}.created_at`, 'DESC').addOrderBy(`${alias}.id`, 'DESC').limit(take).getMany();
  }, limit, cursor);
}

function positionOf(cursor: string): KeysetPosition {
  const [createdAt, id] = decodeCursor(cursor, ['string', 'string']) as [string, string];
  // Only what this code writes: a UUID and an ISO timestamp of year 0001–9999 (so PostgreSQL can hold it).
  if (!isUuid(id) || !isCanonicalIsoTimestamp(createdAt)) throw new InvalidInputError('cursor is invalid');
  return { createdAt, id };
}

