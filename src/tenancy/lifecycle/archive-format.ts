/**
 * The tenant export archive (docs/export-format.md): gzip around a stream of
 *
 *   header line      {"kind":"header","format":"tenantry-tenant-export","formatVersion":1,…,"tables":[{name, columns}]}
 *   per table        {"kind":"table","name":"…"} line, then data frames "<byte length>\n<bytes>", "0\n" ends the table
 *   manifest line    {"kind":"manifest",…,"tables":[{name, columns, rows, sha256}]}
 *
 * The data is PostgreSQL's COPY text format, rows in primary-key order. The manifest comes last because counts and
 * checksums are known only once the rows have streamed past; an import checks it before it commits.
 */
export const ARCHIVE_FORMAT = 'tenantry-tenant-export';
export const ARCHIVE_FORMAT_VERSION = 1;
/** Longest header, section or manifest line an import reads (a line is JSON with one entry per table). */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Largest data frame an import accepts; the export writes COPY's chunks (at most 64 KiB) as they come. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface ArchiveTenant {
  name: string;
  slug: string;
}

export interface ArchiveTableHeader {
  name: string;
  columns: string[];
}

export interface ArchiveHeader {
  kind: 'header';
  format: typeof ARCHIVE_FORMAT;
  formatVersion: number;
  tenant: ArchiveTenant;
  /** The last tenant migration applied to the schema the rows come from. */
  migration: string | null;
  exportedAt: string;
  tables: ArchiveTableHeader[];
}

export interface ArchiveTableSummary extends ArchiveTableHeader {
  rows: number;
  /** SHA-256 (hex) of the table's COPY text, exactly as framed in the archive. */
  sha256: string;
}

export interface ArchiveManifest {
  kind: 'manifest';
  format: typeof ARCHIVE_FORMAT;
  formatVersion: number;
  tenant: ArchiveTenant;
  migration: string | null;
  exportedAt: string;
  tables: ArchiveTableSummary[];
}

export function jsonLine(value: object): Buffer {
  return Buffer.from(`${JSON.stringify(value)}\n`);
}

export function frameHeader(length: number): Buffer {
  return Buffer.from(`${length}\n`);
}

export const END_OF_TABLE = frameHeader(0);

/** Rows in a chunk of COPY text: every row ends with one newline (newlines inside values are escaped). */
export function countRows(chunk: Buffer): number {
  let rows = 0;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows += 1;
  return rows;
}
