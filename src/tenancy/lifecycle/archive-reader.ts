import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  ArchiveHeader,
  ArchiveManifest,
  ArchiveTableHeader,
  MAX_FRAME_BYTES,
  MAX_LINE_BYTES,
} from './archive-format';
import { ArchiveCorruptError, ArchiveRejectedError } from './lifecycle.errors';

const FRAME_LENGTH = /^(0|[1-9]\d{0,9})$/;

/**
 * Reads an archive (already gunzipped) front to back without holding more than a line or a chunk: JSON lines
 * for the header, sections and manifest, and length-prefixed frames handed to a sink as they arrive.
 */
export class ArchiveReader {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly chunks: AsyncIterator<Buffer>;
  private ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.chunks = source[Symbol.asyncIterator]();
  }

  /** The next line, or null when the archive ends cleanly before it. */
  async line(what: string): Promise<string | null> {
    for (let searched = 0; ; ) {
      const at = this.buffer.indexOf(10, searched);
      if (at !== -1) {
        const line = this.buffer.subarray(0, at).toString('utf8');
        this.buffer = this.buffer.subarray(at + 1);
        return line;
      }
      searched = this.buffer.length;
      if (this.buffer.length > MAX_LINE_BYTES) throw new ArchiveCorruptError(`the ${what} is longer than ${MAX_LINE_BYTES} bytes`);
      if (!(await this.fill())) {
        if (this.buffer.length === 0) return null;
        throw new ArchiveCorruptError(`it ends in the middle of the ${what}`);
      }
    }
  }

  /** One JSON line that must be there. */
  async json(what: string): Promise<Record<string, unknown>> {
    const line = await this.line(what);
    if (line === null) throw new ArchiveCorruptError(`the ${what} is missing (the archive ends before it)`);
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new ArchiveCorruptError(`the ${what} is not a JSON object`);
  }

  /** Streams one table's frames to `sink` until its end marker; returns the bytes passed on. */
  async frames(table: string, sink: (chunk: Buffer) => Promise<void>): Promise<number> {
    let total = 0;
    for (;;) {
      const line = await this.line(`data of table ${table}`);
      if (line === null || !FRAME_LENGTH.test(line)) throw new ArchiveCorruptError(`bad data framing in table ${table}`);
      let remaining = Number(line);
      if (remaining === 0) return total;
      if (remaining > MAX_FRAME_BYTES) throw new ArchiveCorruptError(`a data frame of table ${table} is larger than ${MAX_FRAME_BYTES} bytes`);
      total += remaining;
      while (remaining > 0) {
        if (this.buffer.length === 0 && !(await this.fill())) {
          throw new ArchiveCorruptError(`it ends in the middle of table ${table}`);
        }
        const piece = this.buffer.subarray(0, Math.min(remaining, this.buffer.length));
        this.buffer = this.buffer.subarray(piece.length);
        remaining -= piece.length;
        await sink(piece);
      }
    }
  }

  async expectEnd(): Promise<void> {
    if (this.buffer.length > 0 || (await this.fill())) throw new ArchiveCorruptError('there is data after the manifest');
  }

  /** Stops reading (the source is destroyed if it has not ended). */
  async close(): Promise<void> {
    if (!this.ended) await this.chunks.return?.().catch(() => undefined);
    this.ended = true;
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    let next: IteratorResult<Buffer>;
    try {
      next = await this.chunks.next();
    } catch (error) {
      this.ended = true;
      const { code, message } = error as { code?: unknown; message?: string };
      if (typeof code === 'string' && code.startsWith('Z_')) throw new ArchiveCorruptError(`not a complete gzip stream (${message})`);
      throw error;
    }
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, next.value]) : next.value;
    return true;
  }
}

const isString = (value: unknown): value is string => typeof value === 'string';

function tablesOf(value: unknown, what: string): ArchiveTableHeader[] {
  const valid =
    Array.isArray(value) &&
    value.every((t) => t && isString(t.name) && Array.isArray(t.columns) && t.columns.length > 0 && t.columns.every(isString));
  if (!valid) throw new ArchiveCorruptError(`the ${what} has no valid table list`);
  return value as ArchiveTableHeader[];
}

function checkFormat(line: Record<string, unknown>, what: string): void {
  if (line.format !== ARCHIVE_FORMAT) throw new ArchiveCorruptError(`the ${what} does not name the ${ARCHIVE_FORMAT} format`);
  const version = line.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ArchiveCorruptError(`the ${what} has no valid format version`);
  }
  if (version > ARCHIVE_FORMAT_VERSION) {
    throw new ArchiveRejectedError(`format version ${version} is newer than this code reads (${ARCHIVE_FORMAT_VERSION})`);
  }
}

export function parseHeader(line: Record<string, unknown>): ArchiveHeader {
  if (line.kind !== 'header') throw new ArchiveCorruptError('it does not start with a header');
  checkFormat(line, 'header');
  const tenant = line.tenant as { name?: unknown; slug?: unknown } | undefined;
  if (!tenant || !isString(tenant.name) || !isString(tenant.slug)) throw new ArchiveCorruptError('the header names no tenant');
  if (line.migration !== null && !isString(line.migration)) throw new ArchiveCorruptError('the header has no valid migration');
  return { ...(line as unknown as ArchiveHeader), tables: tablesOf(line.tables, 'header') };
}

export function parseManifest(line: Record<string, unknown>): ArchiveManifest {
  if (line.kind !== 'manifest') throw new ArchiveCorruptError('the manifest is missing (another section stands in its place)');
  checkFormat(line, 'manifest');
  const tables = tablesOf(line.tables, 'manifest') as ArchiveManifest['tables'];
  for (const table of tables) {
    if (!Number.isInteger(table.rows) || table.rows < 0 || !isString(table.sha256)) {
      throw new ArchiveCorruptError(`the manifest has no valid count and checksum for table ${table.name}`);
    }
  }
  return { ...(line as unknown as ArchiveManifest), tables };
}
