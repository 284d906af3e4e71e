import { createHash } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import type { QueryRunner } from 'typeorm';
import { copyOut } from '../../database/copy-streams';
import { isMissingRelation } from '../../database/postgres-errors';
import { BOOKKEEPING_TABLES, CatalogTable, schemaTables } from '../../database/schema-catalog';
import { quoteSchema } from '../../database/schema-name';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  ArchiveHeader,
  ArchiveTableSummary,
  ArchiveTenant,
  countRows,
  END_OF_TABLE,
  frameHeader,
  jsonLine,
} from './archive-format';
import { NothingToExportError } from './lifecycle.errors';

export interface ExportProgress {
  table: string;
  tablesDone: number;
  tablesTotal: number;
  bytes: number;
  /** Set once a table has streamed past. */
  finished?: ArchiveTableSummary;
}

/** One schema's tables and version as seen by a snapshot transaction that is already open on `queryRunner`. */
export interface SchemaSnapshot {
  header: ArchiveHeader;
  tables: CatalogTable[];
}

/**
 * Reads what the archive header needs inside the caller's `REPEATABLE READ` transaction: the tables (from the
 * catalog, parents first) and the schema's last applied migration (from its own `migrations` table).
 */
export async function describeSchema(queryRunner: QueryRunner, schema: string, tenant: ArchiveTenant): Promise<SchemaSnapshot> {
  const query = (sql: string, params?: unknown[]) => queryRunner.query(sql, params);
  const all = await schemaTables(query, schema);
  const tables = all.filter((table) => !BOOKKEEPING_TABLES.has(table.name));
  // A schema dropped or emptied under its registry row gave an archive of no tables (200, and an import refused it).
  if (!all.some((table) => table.name === 'migrations')) throw new NothingToExportError(schema);
  // Every table locked now (ACCESS SHARE, as COPY would lock it: the tenant's writes go on), not table by table
  // as the COPYs reach them, so a purge that begins meanwhile waits for the end instead of dropping the tables yet
  // to be read, or deadlocking with the export.
  const names = all.map((table) => `${quoteSchema(schema)}.${escapeIdentifier(table.name)}`).join(', ');
  await queryRunner.query(`LOCK TABLE ${names} IN ACCESS SHARE MODE`).catch((error: unknown) => {
    throw isMissingRelation(error) ? new NothingToExportError(schema) : error;
  });
  const rows: Array<{ name: string }> = await queryRunner.query(
    `SELECT "name" FROM ${quoteSchema(schema)}."migrations" ORDER BY "timestamp" DESC LIMIT 1`,
  );
  const migration = rows[0]?.name ?? null;
  const header: ArchiveHeader = {
    kind: 'header',
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    tenant,
    migration,
    exportedAt: new Date().toISOString(),
    tables: tables.map((table) => ({ name: table.name, columns: table.columns.map((c) => c.name) })),
  };
  return { header, tables };
}

/** The archive's bytes (before gzip), table after table, each streamed by `COPY … TO STDOUT` in primary-key order. */
export async function* archiveChunks(
  queryRunner: QueryRunner,
  schema: string,
  snapshot: SchemaSnapshot,
  onProgress?: (progress: ExportProgress) => void,
): AsyncGenerator<Buffer> {
  yield jsonLine(snapshot.header);
  const summaries: ArchiveTableSummary[] = [];
  let bytes = 0;
  for (const [index, table] of snapshot.tables.entries()) {
    yield jsonLine({ kind: 'table', name: table.name });
    const columns = table.columns.map((c) => escapeIdentifier(c.name)).join(', ');
    const order = table.primaryKey.length ? ` ORDER BY ${table.primaryKey.map(escapeIdentifier).join(', ')}` : '';
    const copy = copyOut(
      queryRunner,
      `COPY (SELECT ${columns} FROM ${quoteSchema(schema)}.${escapeIdentifier(table.name)}${order}) TO STDOUT`,
    );
    const hash = createHash('sha256');
    let rows = 0;
    for await (const chunk of copy as AsyncIterable<Buffer>) {
      hash.update(chunk);
      rows += countRows(chunk);
      bytes += chunk.length;
      yield frameHeader(chunk.length);
      yield chunk;
      onProgress?.({ table: table.name, tablesDone: index, tablesTotal: snapshot.tables.length, bytes });
    }
    yield END_OF_TABLE;
    const finished = { name: table.name, columns: table.columns.map((c) => c.name), rows, sha256: hash.digest('hex') };
    summaries.push(finished);
    onProgress?.({ table: table.name, tablesDone: index + 1, tablesTotal: snapshot.tables.length, bytes, finished });
  }
  const { kind: _header, ...rest } = snapshot.header;
  yield jsonLine({ ...rest, kind: 'manifest', tables: summaries });
}
