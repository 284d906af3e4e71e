import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '../../config/environment-variables';
import { CheckOptions, CheckReport, checkLedger, pendingSharedMigrations, RunQuery } from './ledger-check';
import { TENANT_STEPS } from './migration-sets';
import { SchemaLedgerService } from './schema-ledger.service';
import { mapConcurrent } from '../../common/concurrency';
import { inTransaction } from '../transaction';
import { applyPendingMigrations, latestVersion, MigrationStep, versionTimestamp } from './schema-migrator';
import { SchemaKind } from './schema-version.entity';
import { SharedMigrationsService } from './shared-migrations.service';

export interface MigrateOptions {
  /** Only these schemas (already resolved from slugs); all behind schemas when absent. */
  schemaNames?: string[];
  concurrency?: number;
  dryRun?: boolean;
  /** The tenant migrations to apply; the build's own set by default (benchmarks and tests pass more). */
  steps?: MigrationStep[];
  onResult?: (result: SchemaMigrationResult, done: number, total: number) => void;
}

export interface SchemaMigrationResult {
  schemaName: string;
  kind: SchemaKind;
  status: 'migrated' | 'up-to-date' | 'failed' | 'pending';
  applied: string[];
  error?: string;
  durationMs: number;
}

export interface MigrateSummary {
  shared: string[];
  results: SchemaMigrationResult[];
  failed: number;
}

/**
 * Brings tenant (and spare) schemas to the latest tenant migration: shared schema first, then every schema the
 * ledger shows behind or failed, with bounded concurrency, each in its own transaction under its own advisory
 * lock. One schema's failure is recorded in the ledger and does not stop the others.
 */
@Injectable()
export class TenantMigrationsService {
  constructor(
    private readonly config: EnvironmentVariables,
    private readonly dataSource: DataSource,
    private readonly shared: SharedMigrationsService,
    private readonly ledger: SchemaLedgerService,
  ) {}

  private readonly query: RunQuery = (sql, params) => this.dataSource.query(sql, params);

  /** Default parallelism: what the shared pool can give while leaving room for the app's own queries. */
  get defaultConcurrency(): number {
    return Math.max(1, Math.min(this.config.SHARED_POOL_MAX - 2, 8));
  }

  /** One query over the ledger: which schemas are behind this code's latest migration, which failed. */
  check(options: CheckOptions = {}): Promise<CheckReport> {
    return checkLedger(this.query, options);
  }

  async migrate(options: MigrateOptions = {}): Promise<MigrateSummary> {
    const shared = options.dryRun ? await pendingSharedMigrations(this.query) : await this.shared.migrate();
    const steps = options.steps ?? TENANT_STEPS;
    const targets = await this.schemasToMigrate(steps, options.schemaNames);
    const concurrency = Math.max(1, options.concurrency ?? this.defaultConcurrency);
    let done = 0;
    // migrateOne records a failure and returns it, so one schema's error never stops the others.
    const results = await mapConcurrent(targets, concurrency, async (target) => {
      const result = options.dryRun
        ? this.pendingResult(target, steps)
        : await this.migrateOne(target.schemaName, target.kind, steps);
      options.onResult?.(result, ++done, targets.length);
      return result;
    });
    results.sort((a, b) => a.schemaName.localeCompare(b.schemaName));
    return { shared, results, failed: results.filter((r) => r.status === 'failed').length };
  }

  async migrateOne(schemaName: string, kind: SchemaKind, steps: MigrationStep[] = TENANT_STEPS): Promise<SchemaMigrationResult> {
    const started = performance.now();
    try {
      const applied = await inTransaction(this.dataSource, async (queryRunner) => {
        const outcome = await applyPendingMigrations(queryRunner, schemaName, steps);
        await this.ledger.recordReady(queryRunner, schemaName, kind, outcome.version, performance.now() - started);
        return outcome.applied;
      });
      const status = applied.length ? 'migrated' : 'up-to-date';
      return { schemaName, kind, status, applied, durationMs: performance.now() - started };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.ledger.recordFailure(schemaName, message);
      return { schemaName, kind, status: 'failed', applied: [], error: message, durationMs: performance.now() - started };
    }
  }

  private pendingResult(
    target: { schemaName: string; kind: SchemaKind; version: string | null },
    steps: MigrationStep[],
  ): SchemaMigrationResult {
    const from = versionTimestamp(target.version);
    const pending = steps.filter((s) => s.timestamp > from).map((s) => s.name);
    return { schemaName: target.schemaName, kind: target.kind, status: 'pending', applied: pending, durationMs: 0 };
  }

  private async schemasToMigrate(
    steps: MigrationStep[],
    only?: string[],
  ): Promise<Array<{ schemaName: string; kind: SchemaKind; version: string | null }>> {
    const latest = versionTimestamp(latestVersion(steps));
    const rows: Array<{ schemaName: string; kind: SchemaKind; version: string | null }> = await this.dataSource.query(
      `SELECT "schema_name" AS "schemaName", "kind", "version" FROM "shared"."schema_versions"
        WHERE ("state" <> 'ready' OR COALESCE(right("version", 13), '0')::bigint < $1)
          AND ($2::text[] IS NULL OR "schema_name" = ANY($2::text[]))
        ORDER BY "schema_name"`,
      [latest, only ?? null],
    );
    return rows;
  }
}
