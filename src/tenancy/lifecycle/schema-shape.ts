import type { RunQuery } from '../../database/migrations/ledger-check';
import { CatalogColumn, CatalogTable, schemaDefinitions, schemaTables, withoutSchema } from '../../database/schema-catalog';

type Definition = Awaited<ReturnType<typeof schemaDefinitions>>[number];

/** What the comparison of two schemas looks at: tables with their columns, and every index and constraint. */
export interface SchemaShape {
  tables: CatalogTable[];
  definitions: Definition[];
}

/**
 * Reads one schema's shape from the catalog with the schema's own name taken out of defaults and definitions,
 * so shapes of two schemas compare. Tables that belong to an extension (PostGIS puts one in `public`) are left
 * out: they are not the schema's own.
 */
export async function readSchemaShape(query: RunQuery, schema: string): Promise<SchemaShape> {
  const members = await query<{ table: string }>(
    `SELECT c."relname" AS "table"
       FROM pg_catalog.pg_depend d
       JOIN pg_catalog.pg_class c ON c."oid" = d."objid" AND d."classid" = 'pg_catalog.pg_class'::regclass
       JOIN pg_catalog.pg_namespace n ON n."oid" = c."relnamespace"
      WHERE d."deptype" = 'e' AND n."nspname" = $1`,
    [schema],
  );
  const extension = new Set(members.map((m) => m.table));
  const tables = (await schemaTables(query, schema))
    .filter((t) => !extension.has(t.name))
    .map((t) => ({ ...t, columns: t.columns.map((c) => ({ ...c, default: c.default === null ? null : withoutSchema(c.default, schema) })) }));
  // NOT NULL constraints (PostgreSQL 18 lists them) are compared as the columns' nullability.
  const definitions = (await schemaDefinitions(query, schema)).filter(
    (d) => !extension.has(d.table) && !(d.kind === 'constraint' && /^NOT NULL\b/.test(d.definition)),
  );
  return { tables, definitions };
}

/**
 * Every way `actual` differs from `expected`, one line each (an empty list: same shape). Tables named in
 * `ignore` are not compared; the indexes and constraints of a table missing on either side are not listed
 * again one by one.
 */
export function shapeDifferences(expected: SchemaShape, actual: SchemaShape, ignore: ReadonlySet<string> = new Set()): string[] {
  const differences: string[] = [];
  const wanted = new Map(expected.tables.filter((t) => !ignore.has(t.name)).map((t) => [t.name, t]));
  const found = new Map(actual.tables.filter((t) => !ignore.has(t.name)).map((t) => [t.name, t]));
  for (const name of sorted(wanted.keys())) if (!found.has(name)) differences.push(`missing table ${name}`);
  for (const name of sorted(found.keys())) if (!wanted.has(name)) differences.push(`extra table ${name}`);
  for (const name of sorted(wanted.keys())) {
    const table = found.get(name);
    if (table) differences.push(...columnDifferences(wanted.get(name)!, table));
  }
  const both = (d: Definition) => wanted.has(d.table) && found.has(d.table);
  differences.push(...definitionDifferences(expected.definitions.filter(both), actual.definitions.filter(both)));
  return differences;
}

function columnDifferences(expected: CatalogTable, actual: CatalogTable): string[] {
  const differences: string[] = [];
  const found = new Map(actual.columns.map((c) => [c.name, c]));
  const wanted = new Set(expected.columns.map((c) => c.name));
  for (const column of expected.columns) {
    const other = found.get(column.name);
    if (!other) {
      differences.push(`${expected.name}: missing column ${column.name} (${describe(column)})`);
      continue;
    }
    if (other.type !== column.type) differences.push(`${expected.name}: column ${column.name} is ${other.type}, expected ${column.type}`);
    if (other.notNull !== column.notNull) {
      differences.push(`${expected.name}: column ${column.name} is ${nullability(other)}, expected ${nullability(column)}`);
    }
    if (other.default !== column.default) {
      differences.push(`${expected.name}: column ${column.name} has default ${other.default ?? 'none'}, expected ${column.default ?? 'none'}`);
    }
  }
  for (const column of actual.columns) {
    if (!wanted.has(column.name)) differences.push(`${expected.name}: extra column ${column.name} (${describe(column)})`);
  }
  return differences;
}

function definitionDifferences(expected: Definition[], actual: Definition[]): string[] {
  const differences: string[] = [];
  const key = (d: Definition) => `${d.table}\u0000${d.kind}\u0000${d.name}`;
  const found = new Map(actual.map((d) => [key(d), d]));
  const wanted = new Set(expected.map(key));
  for (const definition of expected) {
    const other = found.get(key(definition));
    if (!other) differences.push(`${definition.table}: missing ${definition.kind} ${definition.name} (${definition.definition})`);
    else if (other.definition !== definition.definition) {
      differences.push(`${definition.table}: ${definition.kind} ${definition.name} is ${other.definition}, expected ${definition.definition}`);
    }
  }
  for (const definition of actual) {
    if (!wanted.has(key(definition))) differences.push(`${definition.table}: extra ${definition.kind} ${definition.name} (${definition.definition})`);
  }
  return differences;
}

function describe(column: CatalogColumn): string {
  return [column.type, column.notNull ? 'NOT NULL' : null, column.default === null ? null : `DEFAULT ${column.default}`].filter(Boolean).join(' ');
}

const nullability = (column: CatalogColumn) => (column.notNull ? 'NOT NULL' : 'nullable');
const sorted = (names: Iterable<string>) => [...names].sort();
