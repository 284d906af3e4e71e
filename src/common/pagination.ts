import { InvalidInputError } from './domain-errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type CursorPart = 'string' | 'number';

export function encodeCursor(parts: Array<string | number>): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`, checking each part's type; anything else is a 400. */
export function decodeCursor(cursor: string, shape: CursorPart[]): Array<string | number> {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidInputError('cursor is invalid');
  }
  if (!Array.isArray(parts) || parts.length !== shape.length || parts.some((p, i) => typeof p !== shape[i])) {
    throw new InvalidInputError('cursor is invalid');
  }
  return parts as Array<string | number>;
}

/** Fetch `limit + 1` rows, then call this: it trims the extra row and builds the next cursor from the last item. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => Array<string | number>,
): Page<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(toItem),
    nextCursor: hasMore ? encodeCursor(cursorOf(pageRows[pageRows.length - 1])) : null,
  };
}
