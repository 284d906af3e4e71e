import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Helpers for the few statements written as raw SQL (claim, lease sweep, log sequences). Raw SQL is not
 * qualified by the DataSource's `schema` option, so the table is named with the schema of the tenant's
 * own DataSource, from its entity metadata — never from input.
 */
export function tableOf(manager: EntityManager, entity: EntityTarget<ObjectLiteral>): string {
  const metadata = manager.connection.getMetadata(entity);
  const escape = (name: string) => manager.connection.driver.escape(name);
  return metadata.schema ? `${escape(metadata.schema)}.${escape(metadata.tableName)}` : escape(metadata.tableName);
}

/** `"col" AS "property", …` for every column, so a raw row comes back in the entity's shape. */
export function columnsOf(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, alias?: string): string {
  const escape = (name: string) => manager.connection.driver.escape(name);
  const prefix = alias ? `${escape(alias)}.` : '';
  return manager.connection
    .getMetadata(entity)
    .columns.map((column) => `${prefix}${escape(column.databaseName)} AS ${escape(column.propertyName)}`)
    .join(', ');
}
