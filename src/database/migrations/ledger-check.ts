import { SHARED_STEPS, TENANT_STEPS } from './migration-sets';
import { latestVersion, MigrationStep, versionTimestamp } from './schema-migrator';
import type { SchemaKind } from './schema-version.entity';

/**
 * `migrate --check` without TypeORM or Nest: plain SQL through whatever runs queries (a DataSource in the
 * services, a bare `pg` client in the CLI's fast path, see src/admin-cli/migrate-check.ts).
 */
export type RunQuery = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

export interface LedgerRow {
  schemaName: string;
  kind: SchemaKind;
  version: string | null;
  state: string;
  error: string | null;
}

export interface CheckReport {
  latestVersion: string | null;
  total: number;
  behind: LedgerRow[];
  failed: LedgerRow[];
  sharedPending: string[];
}

/** Shared-schema migrations this build has that the database has not applied. */
export async function pendingSharedMigrations(query: RunQuery): Promise<string[]> {
  const [exists] = await query(`SELECT to_regclass('"shared"."migrations"') IS NOT NULL AS "present"`);
  if (!exists.present) return SHARED_STEPS.map((s) => s.name);
  const names = new Set((await query(`SELECT "name" FROM "shared"."migrations"`)).map((row) => row.name));
  return SHARED_STEPS.filter((s) => !names.has(s.name)).map((s) => s.name);
}

export interface CheckOptions {
  /** Only these schemas (`migrate --check --tenant …`); every schema of the ledger when absent. */
  schemaNames?: string[];
  /** The tenant migrations to check against; the build's own set by default. */
  steps?: MigrationStep[];
}

/** One query over the ledger: which schemas are behind this code's latest migration, which failed. */
export async function checkLedger(query: RunQuery, { schemaNames, steps = TENANT_STEPS }: CheckOptions = {}): Promise<CheckReport> {
  const latest = latestVersion(steps);
  const rows = await query<LedgerRow & { behind: boolean }>(
    `SELECT "schema_name" AS "schemaName", "kind", "version", "state", "error",
            COALESCE(right("version", 13), '0')::bigint < $1 AS "behind"
       FROM "shared"."schema_versions"
      WHERE $2::text[] IS NULL OR "schema_name" = ANY($2::text[])
      ORDER BY "schema_name"`,
    [versionTimestamp(latest), schemaNames ?? null],
  );
  const strip = ({ schemaName, kind, version, state, error }: LedgerRow): LedgerRow => ({ schemaName, kind, version, state, error });
  return {
    latestVersion: latest,
    total: rows.length,
    behind: rows.filter((r) => r.behind && r.state !== 'failed').map(strip),
    failed: rows.filter((r) => r.state === 'failed').map(strip),
    sharedPending: await pendingSharedMigrations(query),
  };
}
