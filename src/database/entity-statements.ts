import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { columnsOf, tableOf } from './table-sql';

/**
 * What a hand-written statement on one entity's table needs: the table (schema-qualified), its columns under
 * their property names (a row comes back in the entity's shape) and somewhere to run the statement.
 */
export interface EntityStatements {
  table: string;
  columns: string;
  query<Row>(sql: string, params: unknown[]): Promise<Row[]>;
}

/** The entity's table on a DataSource or transaction (its metadata is bound to the schema). */
export function managerStatements(manager: EntityManager, entity: EntityTarget<ObjectLiteral>): EntityStatements {
  return {
    table: tableOf(manager, entity),
    columns: columnsOf(manager, entity),
    query: (sql, params) => manager.query(sql, params),
  };
}
