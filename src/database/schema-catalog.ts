import type { RunQuery } from './migrations/ledger-check';

export interface CatalogColumn {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
}

export interface CatalogTable {
  name: string;
  columns: CatalogColumn[];
  primaryKey: string[];
}

/** Tables every tenant schema has that are bookkeeping, not tenant data. */
export const BOOKKEEPING_TABLES = new Set(['migrations']);

/**
 * The tables of one schema, read from the catalog (so a table added by a later migration is included without
 * a list to maintain), parents before the tables whose foreign keys point at them.
 */
export async function schemaTables(query: RunQuery, schema: string): Promise<CatalogTable[]> {
  const columns = await query<{ table: string; column: string; type: string; notNull: boolean; default: string | null }>(
    `SELECT c."relname" AS "table", a."attname" AS "column", format_type(a."atttypid", a."atttypmod") AS "type",
            a."attnotnull" AS "notNull", pg_get_expr(d."adbin", d."adrelid") AS "default"
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n."oid" = c."relnamespace"
       JOIN pg_catalog.pg_attribute a ON a."attrelid" = c."oid" AND a."attnum" > 0 AND NOT a."attisdropped"
       LEFT JOIN pg_catalog.pg_attrdef d ON d."adrelid" = c."oid" AND d."adnum" = a."attnum"
      WHERE n."nspname" = $1 AND c."relkind" IN ('r', 'p')
      ORDER BY c."relname", a."attnum"`,
    [schema],
  );
  const keys = await query<{ table: string; column: string }>(
    `SELECT c."relname" AS "table", a."attname" AS "column"
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class c ON c."oid" = i."indrelid"
       JOIN pg_catalog.pg_namespace n ON n."oid" = c."relnamespace"
       JOIN pg_catalog.pg_attribute a ON a."attrelid" = c."oid" AND a."attnum" = ANY (i."indkey")
      WHERE n."nspname" = $1 AND i."indisprimary"
      ORDER BY c."relname", array_position(i."indkey"::int2[], a."attnum")`,
    [schema],
  );
  const references = await query<{ table: string; parent: string }>(
    `SELECT DISTINCT child."relname" AS "table", parent."relname" AS "parent"
       FROM pg_catalog.pg_constraint k
       JOIN pg_catalog.pg_class child ON child."oid" = k."conrelid"
       JOIN pg_catalog.pg_class parent ON parent."oid" = k."confrelid"
       JOIN pg_catalog.pg_namespace n ON n."oid" = child."relnamespace"
      WHERE n."nspname" = $1 AND k."contype" = 'f' AND k."conrelid" <> k."confrelid"`,
    [schema],
  );
  const tables = new Map<string, CatalogTable>();
  for (const row of columns) {
    const table = tables.get(row.table) ?? { name: row.table, columns: [], primaryKey: [] };
    table.columns.push({ name: row.column, type: row.type, notNull: row.notNull, default: row.default });
    tables.set(row.table, table);
  }
  for (const row of keys) tables.get(row.table)?.primaryKey.push(row.column);
  return parentsFirst([...tables.values()], references);
}

function parentsFirst(tables: CatalogTable[], references: Array<{ table: string; parent: string }>): CatalogTable[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: CatalogTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name) === 'done' || state.get(name) === 'visiting') return;
    state.set(name, 'visiting');
    for (const ref of references) if (ref.table === name) visit(ref.parent);
    state.set(name, 'done');
    const table = byName.get(name);
    if (table) ordered.push(table);
  };
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(table.name);
  return ordered;
}

/** What a schema's tables carry besides their columns: each compares by name and its definition as the catalog prints it. */
export type DefinitionKind = 'index' | 'constraint' | 'trigger' | 'rule' | 'policy' | 'setting';

/**
 * Every index, constraint, trigger (but the internal ones of foreign keys), rule, row-level security policy and
 * row-level security setting of a schema's tables, with the schema name taken out so two schemas compare.
 */
export async function schemaDefinitions(
  query: RunQuery,
  schema: string,
): Promise<Array<{ table: string; kind: DefinitionKind; name: string; definition: string }>> {
  const rows = await query<{ table: string; kind: DefinitionKind; name: string; definition: string }>(
    `SELECT "tablename" AS "table", 'index' AS "kind", "indexname" AS "name", "indexdef" AS "definition"
       FROM pg_catalog.pg_indexes WHERE "schemaname" = $1
     UNION ALL
     SELECT c."relname", 'constraint', k."conname", pg_get_constraintdef(k."oid")
       FROM pg_catalog.pg_constraint k
       JOIN pg_catalog.pg_class c ON c."oid" = k."conrelid"
       JOIN pg_catalog.pg_namespace n ON n."oid" = c."relnamespace"
      WHERE n."nspname" = $1
     UNION ALL
     SELECT c."relname", 'trigger', g."tgname", pg_get_triggerdef(g."oid")
       FROM pg_catalog.pg_trigger g
       JOIN pg_catalog.pg_class c ON c."oid" = g."tgrelid"
       JOIN pg_catalog.pg_namespace n ON n."oid" = c."relnamespace"
      WHERE n."nspname" = $1 AND NOT g."tgisinternal"
     UNION ALL
     SELECT "tablename", 'rule', "rulename", "definition" FROM pg_catalog.pg_rules WHERE "schemaname" = $1
     UNION ALL
     SELECT "tablename", 'policy', "policyname",
            concat_ws(' ', "permissive", 'FOR', "cmd", 'TO', array_to_string("roles", ', '), 'USING', "qual", 'WITH CHECK', "with_check")
       FROM pg_catalog.pg_policies WHERE "schemaname" = $1
     UNION ALL
     SELECT c."relname", 'setting', 'row level security', CASE WHEN c."relforcerowsecurity" THEN 'FORCED' ELSE 'ENABLED' END
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n."oid" = c."relnamespace"
      WHERE n."nspname" = $1 AND c."relrowsecurity"
      ORDER BY 1, 2, 3`,
    [schema],
  );
  return rows.map((row) => ({ ...row, definition: withoutSchema(row.definition, schema) }));
}

/** SQL text the catalog printed (an index definition, a column default) with `schema.` taken out of its names. */
export function withoutSchema(text: string, schema: string): string {
  return text.replace(new RegExp(`(?:"${schema}"|\\b${schema})\\.`, 'g'), '');
}

/** Columns fed by a sequence (serial or identity), with the sequence, so a bulk load can move it past the rows. */
export async function sequenceColumns(query: RunQuery, schema: string): Promise<Array<{ table: string; column: string; sequence: string }>> {
  return query(
    `SELECT c."relname" AS "table", a."attname" AS "column",
            pg_get_serial_sequence(format('%I.%I', n."nspname", c."relname"), a."attname") AS "sequence"
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n."oid" = c."relnamespace"
       JOIN pg_catalog.pg_attribute a ON a."attrelid" = c."oid" AND a."attnum" > 0 AND NOT a."attisdropped"
      WHERE n."nspname" = $1 AND c."relkind" IN ('r', 'p')
        AND pg_get_serial_sequence(format('%I.%I', n."nspname", c."relname"), a."attname") IS NOT NULL`,
    [schema],
  );
}
