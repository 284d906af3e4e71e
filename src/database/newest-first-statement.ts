import type { ObjectLiteral } from 'typeorm';
import type { KeysetPosition, NewestFirstFetch } from '../common/keyset-page';
import type { EntityStatements } from './entity-statements';

/** A filter of a list: a fixed SQL condition written in code, `?` standing for each of its values, in order. */
export interface ListCondition {
  sql: string;
  values?: unknown[];
}

/**
 * The statement of a newest-first list: the entity's columns under their property names (a row comes back in
 * the entity's shape, no hydration pass), the active conditions, the keyset and the limit — a few string joins,
 * not TypeORM's query builder and its alias parsing on every request. Parameters are bound, never spliced in.
 */
export function newestFirstStatement<Row extends ObjectLiteral>(
  on: EntityStatements,
  conditions: ListCondition[],
): NewestFirstFetch<Row & { id: string; createdAt: Date }> {
  return (position: KeysetPosition | undefined, take: number) => {
    const params = conditions.flatMap((condition) => condition.values ?? []);
    let n = 0;
    const where = conditions.map((condition) => condition.sql.replace(/\?/g, () => `$${++n}`));
    if (position) {
      params.push(position.createdAt, position.id);
      where.push(`("created_at", "id") < ($${++n}::timestamptz, $${++n}::uuid)`);
    }
    params.push(take);
    const sql =
      `SELECT ${on.columns} FROM ${on.table}` +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY "created_at" DESC, "id" DESC LIMIT $${++n}`;
    return on.query(sql, params);
  };
}
