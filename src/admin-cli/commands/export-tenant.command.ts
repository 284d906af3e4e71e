import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { SingleBar } from 'cli-progress';
import { Command, Option } from 'nest-commander';
import { InvalidInputError, UnavailableError } from '../../common/domain-errors';
import type { ExportProgress } from '../../tenancy/lifecycle/schema-snapshot';
import { TenantExportService } from '../../tenancy/lifecycle/tenant-export.service';
import { CliOutput } from '../cli-output.service';
import { JsonCommand } from '../json-command';

interface ExportOptions {
  output?: string;
  json?: boolean;
}

@Command({
  name: 'export',
  arguments: '<id-or-slug>',
  description: 'Write a gzip archive of a tenant (docs/export-format.md) to -o FILE, or to stdout',
})
export class ExportTenantCommand extends JsonCommand {
  constructor(
    private readonly exporter: TenantExportService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: ExportOptions): Promise<void> {
    const toStdout = options.output === undefined || options.output === '-';
    if (toStdout && process.stdout.isTTY) throw new InvalidInputError('refusing to write an archive to a terminal: use -o FILE');
    // The file is opened before the tenant's snapshot, so a path that cannot be written is refused before any work.
    const file = toStdout ? undefined : await openPartial(options.output!);
    const target: Writable & { bytesWritten?: number } = file?.stream ?? process.stdout;
    const tables: Array<{ name: string; rows: number; sha256: string }> = [];
    // What failed on the way out (a full disk, a reader that went away: `export … | head`) is said as such, not as
    // the error the pipeline hands on (an EPIPE read as a lost database connection).
    let outputError: Error | undefined;
    target.once('error', (error: Error) => (outputError = error));
    const progress = this.progress();
    let exported: { tenant: { id: string; slug: string } };
    try {
      const { tenant, archive } = await this.exporter.open(idOrSlug, (step) => {
        if (step.finished) tables.push({ name: step.finished.name, rows: step.finished.rows, sha256: step.finished.sha256 });
        progress.update(step);
      });
      await pipeline(archive, createGzip(), target, { end: Boolean(file) });
      // A file appears under its name only once it is complete.
      if (file) await rename(file.partial, options.output!).catch((error: Error) => fileError('write', options.output!, error));
      exported = { tenant };
    } catch (error) {
      if (file) {
        file.stream.destroy();
        await rm(file.partial, { force: true });
      }
      if (outputError) throw new UnavailableError(`cannot write ${file ? options.output : 'stdout'}: ${outputError.message.split(',')[0]}`);
      throw error;
    } finally {
      progress.stop();
    }
    this.summary(exported.tenant, options, toStdout, target.bytesWritten ?? null, tables);
  }

  private summary(
    tenant: { id: string; slug: string },
    options: ExportOptions,
    toStdout: boolean,
    bytes: number | null,
    tables: Array<{ name: string; rows: number; sha256: string }>,
  ): void {
    const summary = { tenant: { id: tenant.id, slug: tenant.slug }, file: toStdout ? null : options.output, bytes, tables };
    // With the archive on stdout, stdout is data: the summary goes to stderr.
    const print = (text: string) => (toStdout ? this.out.error(text) : this.out.print(text));
    if (options.json) return print(JSON.stringify(summary, null, 2));
    const counts = tables.map((t) => `${t.name} ${t.rows}`).join(', ');
    print(`Exported tenant ${tenant.slug}${summary.file ? ` to ${summary.file}` : ''}: ${counts} row(s).`);
  }

  private progress(): { update(step: ExportProgress): void; stop(): void } {
    const stream = this.out.progressStream;
    if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
    const bar = new SingleBar({ format: 'exporting [{bar}] {value}/{total} tables {table} {mib} MiB', hideCursor: true, stream });
    let started = false;
    return {
      update: (step) => {
        if (!started) bar.start(step.tablesTotal, 0, { table: '', mib: '0.0' });
        started = true;
        bar.update(step.tablesDone, { table: step.table, mib: (step.bytes / 1048576).toFixed(1) });
      },
      stop: () => started && bar.stop(),
    };
  }

  @Option({ flags: '-o, --output <file>', description: 'write the archive to this file (default: stdout)' })
  parseOutput(value: string): string {
    return value;
  }
}

/** `<file>.partial`, opened for writing; a path that cannot be written is bad input, named with the reason. */
async function openPartial(path: string): Promise<{ partial: string; stream: WriteStream }> {
  if (path.trim() === '') throw new InvalidInputError('-o needs a file name');
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new InvalidInputError(`cannot write ${path}: it is a directory`);
  const partial = `${path}.partial`;
  const stream = createWriteStream(partial);
  await once(stream, 'open').catch((error: Error) => fileError('write', path, error));
  return { partial, stream };
}

/** `cannot write x.gz: ENOENT: no such file or directory` (Node's message without the syscall and the `.partial` path). */
function fileError(verb: 'read' | 'write', path: string, error: Error): never {
  throw new InvalidInputError(`cannot ${verb} ${path}: ${error.message.split(',')[0]}`);
}
