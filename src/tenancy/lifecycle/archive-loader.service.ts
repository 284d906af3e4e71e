import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { escapeIdentifier } from 'pg';
import type { QueryRunner } from 'typeorm';
import { DomainError } from '../../common/domain-errors';
import { copyIn } from '../../database/copy-streams';
import { TENANT_STEPS } from '../../database/migrations/migration-sets';
import { SchemaLedgerService } from '../../database/migrations/schema-ledger.service';
import { applyPendingMigrations, latestVersion, lockSchemaForMigration, MigrationStep, versionTimestamp } from '../../database/migrations/schema-migrator';
import { postgresError } from '../../database/postgres-errors';
import { BOOKKEEPING_TABLES, schemaTables, sequenceColumns } from '../../database/schema-catalog';
import { quoteSchema } from '../../database/schema-name';
import { TenantProvisionerService } from '../registry/tenant-provisioner.service';
import { ArchiveHeader, ArchiveManifest, ArchiveTableHeader } from './archive-format';
import { ArchiveReader, parseManifest } from './archive-reader';
import { CopySink } from './copy-sink';
import { ArchiveCorruptError, ArchiveRejectedError } from './lifecycle.errors';

export interface LoadedTable {
  name: string;
  rows: number;
}

interface TableLoad extends LoadedTable {
  sha256: string;
}

/**
 * Fills a new tenant schema from an archive inside the tenant's create transaction: the schema is built at the
 * archive's migration, every table is streamed in by `COPY … FROM STDIN`, counts and checksums are checked
 * against the manifest, and only then is the schema migrated to the latest version. Any failure throws, and the
 * caller's transaction leaves nothing behind.
 */
@Injectable()
export class ArchiveLoaderService {
  /** The tenant migrations this code has (tests add steps to see an older archive migrated forward). */
  steps: MigrationStep[] = TENANT_STEPS;

  constructor(
    private readonly provisioner: TenantProvisionerService,
    private readonly ledger: SchemaLedgerService,
  ) {}

  async load(queryRunner: QueryRunner, schemaName: string, header: ArchiveHeader, reader: ArchiveReader): Promise<LoadedTable[]> {
    const started = performance.now();
    const step = archiveStep(header.migration, this.steps);
    const current = step === this.steps.at(-1);
    if (current) {
      await this.provisioner.createSchema(queryRunner, schemaName);
    } else {
      await lockSchemaForMigration(queryRunner, schemaName);
      await queryRunner.query(`CREATE SCHEMA ${quoteSchema(schemaName)}`);
      await applyPendingMigrations(queryRunner, schemaName, this.steps.filter((s) => s.timestamp <= step.timestamp));
    }
    // Transaction-scoped: a role's statement_timeout must not cut a whole table's COPY short (see copy-streams.ts).
    await queryRunner.query(`SELECT set_config('statement_timeout', '0', true)`);
    await this.checkTables(queryRunner, schemaName, header);
    const loaded: TableLoad[] = [];
    for (const table of header.tables) loaded.push(await this.loadTable(queryRunner, schemaName, table, reader));
    verifyManifest(parseManifest(await reader.json('manifest')), header, loaded);
    await reader.expectEnd();
    await this.advanceSequences(queryRunner, schemaName);
    if (!current) {
      const { version } = await applyPendingMigrations(queryRunner, schemaName, this.steps);
      await this.ledger.recordReady(queryRunner, schemaName, 'tenant', version, performance.now() - started);
    }
    return loaded.map(({ name, rows }) => ({ name, rows }));
  }

  private async checkTables(queryRunner: QueryRunner, schemaName: string, header: ArchiveHeader): Promise<void> {
    const tables = (await schemaTables((sql, params) => queryRunner.query(sql, params), schemaName)).filter(
      (t) => !BOOKKEEPING_TABLES.has(t.name),
    );
    const expected = new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const table of header.tables) {
      if (seen.has(table.name)) problems.push(`table ${table.name} appears twice`);
      seen.add(table.name);
      const columns = expected.get(table.name);
      if (!columns) {
        problems.push(`table ${table.name} does not exist at migration ${header.migration}`);
        continue;
      }
      const missing = columns.filter((c) => !table.columns.includes(c));
      const extra = table.columns.filter((c) => !columns.includes(c));
      if (missing.length) problems.push(`table ${table.name} lacks column(s) ${missing.join(', ')}`);
      if (extra.length) problems.push(`table ${table.name} has unknown column(s) ${extra.join(', ')}`);
    }
    for (const name of expected.keys()) if (!seen.has(name)) problems.push(`table ${name} is missing`);
    if (problems.length) throw new ArchiveRejectedError(problems.join('; '));
  }

  private async loadTable(queryRunner: QueryRunner, schemaName: string, table: ArchiveTableHeader, reader: ArchiveReader): Promise<TableLoad> {
    const section = await reader.json(`section of table ${table.name}`);
    if (section.kind !== 'table' || section.name !== table.name) {
      throw new ArchiveCorruptError(`the section of table ${table.name} is not where the header puts it`);
    }
    const columns = table.columns.map(escapeIdentifier).join(', ');
    const copy = copyIn(queryRunner, `COPY ${quoteSchema(schemaName)}.${escapeIdentifier(table.name)} (${columns}) FROM STDIN`);
    const sink = new CopySink(copy);
    const hash = createHash('sha256');
    try {
      await reader.frames(table.name, async (chunk) => {
        hash.update(chunk);
        await sink.write(chunk);
      });
      await sink.end();
    } catch (error) {
      await sink.abort(error instanceof Error ? error : new Error(String(error)));
      if (error instanceof DomainError) throw error;
      const pg = postgresError(error);
      if (pg.code) throw new ArchiveRejectedError(`table ${table.name}: rows refused by the database (${pg.message})`);
      throw error;
    }
    return { name: table.name, rows: copy.rowCount, sha256: hash.digest('hex') };
  }

  private async advanceSequences(queryRunner: QueryRunner, schemaName: string): Promise<void> {
    const columns = await sequenceColumns((sql, params) => queryRunner.query(sql, params), schemaName);
    for (const { table, column, sequence } of columns) {
      if (BOOKKEEPING_TABLES.has(table)) continue;
      const col = escapeIdentifier(column);
      await queryRunner.query(
        `SELECT setval($1::regclass, COALESCE(max(${col}), 1), max(${col}) IS NOT NULL) FROM ${quoteSchema(schemaName)}.${escapeIdentifier(table)}`,
        [sequence],
      );
    }
  }
}

/** The migration step the archive's rows were written at: one this code has, and not newer than it. */
function archiveStep(migration: string | null, steps: MigrationStep[]): MigrationStep {
  const step = steps.find((s) => s.name === migration);
  if (step) return step;
  const latest = latestVersion(steps);
  if (versionTimestamp(migration) > versionTimestamp(latest)) {
    throw new ArchiveRejectedError(
      `it was exported at migration ${migration}, newer than this code (${latest}): upgrade before importing`,
    );
  }
  throw new ArchiveRejectedError(`it was exported at migration ${migration ?? '(none)'}, which this code does not know`);
}

function verifyManifest(manifest: ArchiveManifest, header: ArchiveHeader, loaded: TableLoad[]): void {
  if (manifest.migration !== header.migration) throw new ArchiveCorruptError('the manifest and the header name different migrations');
  const names = (tables: Array<{ name: string; columns: string[] }>) => JSON.stringify(tables.map((t) => [t.name, t.columns]));
  if (names(manifest.tables) !== names(header.tables)) throw new ArchiveCorruptError('the manifest and the header list different tables');
  const problems: string[] = [];
  for (const [index, table] of loaded.entries()) {
    const expected = manifest.tables[index];
    if (table.sha256 !== expected.sha256) problems.push(`table ${table.name}: checksum does not match the manifest`);
    if (table.rows !== expected.rows) problems.push(`table ${table.name}: ${table.rows} row(s) loaded, the manifest says ${expected.rows}`);
  }
  if (problems.length) throw new ArchiveRejectedError(problems.join('; '));
}
