import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { TENANT_STEPS } from './migration-sets';
import { latestVersion, versionTimestamp } from './schema-migrator';

const KINDS = ['tenant', 'spare'] as const;
const STATES = ['current', 'behind', 'failed'] as const;

let ledgerSource: DataSource | undefined;

const schemas = new Gauge({
  name: 'tenantry_schemas',
  help: 'Schemas in the migration ledger by kind (tenant, spare) and state (current, behind this build, failed)',
  labelNames: ['kind', 'state'],
  async collect() {
    if (!ledgerSource?.isInitialized) return;
    // A scrape while the database is down still answers, without this family (readiness reports the outage).
    const rows: Array<{ kind: string; state: string; n: number }> | undefined = await ledgerSource.query(
      `SELECT "kind",
              CASE WHEN "state" = 'failed' THEN 'failed'
                   WHEN COALESCE(right("version", 13), '0')::bigint < $1 THEN 'behind'
                   ELSE 'current' END AS "state",
              count(*)::int AS "n"
         FROM "shared"."schema_versions"
        GROUP BY 1, 2`,
      [versionTimestamp(latestVersion(TENANT_STEPS))],
    ).catch(() => undefined);
    this.reset();
    if (!rows) return;
    for (const kind of KINDS) for (const state of STATES) this.set({ kind, state }, 0);
    for (const row of rows) this.set({ kind: row.kind, state: row.state }, row.n);
  },
});

/** Lets a scrape count the ledger's schemas: one grouped query over `shared.schema_versions`, never one per schema. */
@Injectable()
export class SchemaMetrics implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    ledgerSource = this.dataSource;
  }

  onApplicationShutdown(): void {
    if (ledgerSource === this.dataSource) ledgerSource = undefined;
  }
}
