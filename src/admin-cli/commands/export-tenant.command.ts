import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { SingleBar } from 'cli-progress';
import { Command, Option } from 'nest-commander';
import { InvalidInputError } from '../../common/domain-errors';
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
    const tables: Array<{ name: string; rows: number; sha256: string }> = [];
    const progress = this.progress();
    const { tenant, archive } = await this.exporter.open(idOrSlug, (step) => {
      if (step.finished) tables.push({ name: step.finished.name, rows: step.finished.rows, sha256: step.finished.sha256 });
      progress.update(step);
    });
    // A file appears under its name only once it is complete.
    const partial = toStdout ? undefined : `${options.output}.partial`;
    const target: Writable & { bytesWritten?: number } = partial ? createWriteStream(partial) : process.stdout;
    try {
      await pipeline(archive, createGzip(), target, { end: Boolean(partial) });
      if (partial) await rename(partial, options.output!);
    } catch (error) {
      if (partial) await rm(partial, { force: true });
      throw error;
    } finally {
      progress.stop();
    }
    const summary = { tenant: { id: tenant.id, slug: tenant.slug }, file: toStdout ? null : options.output, bytes: target.bytesWritten ?? null, tables };
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
