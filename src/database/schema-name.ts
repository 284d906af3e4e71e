import type { DataSource } from 'typeorm';

/** What a schema name of ours may be (tenant_<slug>, spare_<hex>, shared): checked before it is ever quoted. */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema name as a quoted identifier; throws for anything that is not one of ours. */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME_PATTERN.test(schema)) throw new Error('invalid schema name');
  return `"${schema}"`;
}

/** Whether the schema exists now (asked on error paths only). */
export async function schemaExists(dataSource: DataSource, schema: string): Promise<boolean> {
  const rows: unknown[] = await dataSource.query('SELECT 1 FROM "pg_catalog"."pg_namespace" WHERE "nspname" = $1', [schema]);
  return rows.length > 0;
}
