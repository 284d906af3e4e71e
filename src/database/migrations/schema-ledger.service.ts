import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { LATEST_TENANT_VERSION } from './migration-sets';
import { versionTimestamp } from './schema-migrator';
import { SchemaKind, SchemaVersion } from './schema-version.entity';

/** Reads and writes the migration ledger (`shared.schema_versions`). */
@Injectable()
export class SchemaLedgerService {
  constructor(private readonly dataSource: DataSource) {}

  /** True when the schema is at (or past) the tenant version this code needs. */
  async isCurrent(schemaName: string): Promise<boolean> {
    const row = await this.dataSource.getRepository(SchemaVersion).findOne({ where: { schemaName } });
    return row !== null && versionTimestamp(row.version) >= versionTimestamp(LATEST_TENANT_VERSION);
  }

  /** Upserts a ready entry. The conflict branch takes every value from EXCLUDED: Citus refuses `now()` there. */
  async recordReady(
    queryRunner: QueryRunner,
    schemaName: string,
    kind: SchemaKind,
    version: string | null,
    durationMs: number,
  ): Promise<void> {
    await queryRunner.query(
      `INSERT INTO "shared"."schema_versions" ("schema_name", "kind", "version", "state", "error", "last_duration_ms", "migrated_at", "updated_at")
       VALUES ($1, $2, $3, 'ready', NULL, $4, now(), now())
       ON CONFLICT ("schema_name") DO UPDATE SET "kind" = EXCLUDED."kind", "version" = EXCLUDED."version", "state" = 'ready',
         "error" = NULL, "last_duration_ms" = EXCLUDED."last_duration_ms", "migrated_at" = EXCLUDED."migrated_at",
         "updated_at" = EXCLUDED."updated_at"`,
      [schemaName, kind, version, Math.round(durationMs)],
    );
  }

  async recordFailure(schemaName: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE "shared"."schema_versions" SET "state" = 'failed', "error" = $2, "updated_at" = now() WHERE "schema_name" = $1`,
      [schemaName, error.slice(0, 2000)],
    );
  }
}
