import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { KeysetPosition, NewestFirstFetch } from '../common/keyset-page';
import { columnsOf, tableOf } from './table-sql';

/** A filter of a list: a fixed SQL condition written in code, `?` standing for each of its values, in order. */
export interface ListCondition {
  sql: string;
  values?: unknown[];
}

const statements = new WeakMap<object, Map<string, string>>();

/**
 * The statement of a newest-first list on one DataSource: the entity's columns under their property names (a
 * row comes back in the entity's shape, no hydration pass), the active conditions, the keyset and the limit.
 * Built once per DataSource, entity and set of conditions, then reused: what TypeORM's query builder would
 * rebuild (and re-parse its aliases for) on every request. Parameters are bound, never spliced in.
 */
export function newestFirstStatement<Row extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<Row>,
  conditions: ListCondition[],
): NewestFirstFetch<Row & { id: string; createdAt: Date }> {
  return async (position: KeysetPosition | undefined, take: number) => {
    const params = conditions.flatMap((condition) => condition.values ?? []);
    if (position) params.push(position.createdAt, position.id);
    params.push(take);
    const key = `${conditions.map((condition) => condition.sql).join('\u0000')}|${position ? 'after' : 'first'}`;
    const sql = cached(manager, entity, key, () => buildSql(manager, entity, conditions, position !== undefined));
    return manager.query(sql, params);
  };
}

function cached(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, key: string, build: () => string): string {
  let byKey = statements.get(manager.connection);
  if (!byKey) statements.set(manager.connection, (byKey = new Map()));
  const fullKey = `${manager.connection.getMetadata(entity).tableName}|${key}`;
  let sql = byKey.get(fullKey);
  if (sql === undefined) byKey.set(fullKey, (sql = build()));
  return sql;
}

function buildSql(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, conditions: ListCondition[], after: boolean): string {
  let n = 0;
  const where = conditions.map((condition) => condition.sql.replace(/\?/g, () => `$${++n}`));
  if (after) where.push(`("created_at", "id") < ($${++n}::timestamptz, $${++n}::uuid)`);
  return (
    `SELECT ${columnsOf(manager, entity)} FROM ${tableOf(manager, entity)}` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY "created_at" DESC, "id" DESC LIMIT $${++n}`
  );
}
