import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { escapeIdentifier } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { InvalidInputError } from '../../common/domain-errors';
import { TENANT_STEPS } from '../../database/migrations/migration-sets';
import type { RunQuery } from '../../database/migrations/ledger-check';
import { SchemaLedgerService } from '../../database/migrations/schema-ledger.service';
import { applyPendingMigrations, lockSchemaForMigration, recordAsApplied } from '../../database/migrations/schema-migrator';
import { BOOKKEEPING_TABLES } from '../../database/schema-catalog';
import { quoteSchema, SCHEMA_NAME_PATTERN } from '../../database/schema-name';
import { AuditTrail } from '../audit/audit-trail.service';
import { nameProblem, slugProblem } from '../registry/tenant-rules';
import { TenantsService, TenantWithKey } from '../registry/tenants.service';
import type { LoadedTable } from './archive-loader.service';
import { watchArrivedWork } from './arrived-work-watch';
import { SchemaNotAdoptableError, SchemaNotFoundError, SchemaShapeMismatchError } from './lifecycle.errors';
import { readSchemaShape, SchemaShape, shapeDifferences } from './schema-shape';

/**
 * How the tables reached the tenant schema: `renamed` (the whole source schema, `ALTER SCHEMA … RENAME`),
 * `moved` (the domain tables one by one, `ALTER TABLE … SET SCHEMA`: from `public`, whose extensions and other
 * objects stay where they are, or from a schema whose own `migrations` table is not the tenant ledger), or
 * `in-place` (the source already has the tenant schema's name).
 */
export type AdoptMethod = 'renamed' | 'moved' | 'in-place';

export interface AdoptedTenant extends TenantWithKey {
  fromSchema: string;
  method: AdoptMethod;
  tables: LoadedTable[];
}

const LEDGER_TABLE = 'migrations';

/**
 * Turns an existing schema holding the domain tables (a single-tenant installation's `public`, a restored
 * dump) into a new tenant. Its shape is compared with what the tenant migrations build first; on any difference
 * nothing is changed. Then the registry row, key, ledger entry, audit event and the move of the tables commit in
 * one transaction: the rows stay where they are on disk (no copy), and the schema is recorded at the latest
 * tenant migration.
 */
@Injectable()
export class TenantAdoptService {
  private reference?: Promise<SchemaShape>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly ledger: SchemaLedgerService,
    private readonly audit: AuditTrail,
  ) {}

  async adopt(name: string, slug: string, fromSchema: string): Promise<AdoptedTenant> {
    const problems = [nameProblem(name), slugProblem(slug)].filter((p): p is string => p !== null);
    if (problems.length) throw new InvalidInputError(problems.join('; '));
    await this.checkSource((sql, params) => this.dataSource.query(sql, params), fromSchema);
    const reference = await this.referenceShape();
    let adopted: Pick<AdoptedTenant, 'method' | 'tables'> = { method: 'renamed', tables: [] };
    const created = await this.tenants.create(name, slug, async (queryRunner, tenant) => {
      adopted = await this.take(queryRunner, fromSchema, tenant.schemaName, tenant.id, reference);
      await this.audit.record(queryRunner.manager, {
        action: 'tenant.adopted',
        tenantId: tenant.id,
        detail: { fromSchema, method: adopted.method, tables: adopted.tables },
      });
    });
    return { ...created, fromSchema, ...adopted };
  }

  /** Inside the create transaction: the checks again under the schemas' locks, then the move. */
  private async take(queryRunner: QueryRunner, source: string, target: string, tenantId: string, reference: SchemaShape) {
    const started = performance.now();
    const query: RunQuery = (sql, params) => queryRunner.query(sql, params);
    await lockSchemaForMigration(queryRunner, source);
    await lockSchemaForMigration(queryRunner, target);
    await this.checkSource(query, source);
    const actual = await readSchemaShape(query, source);
    const differences = shapeDifferences(reference, actual, BOOKKEEPING_TABLES);
    if (differences.length) throw new SchemaShapeMismatchError(source, differences);
    const ownLedger = await ledgerFits(query, source, reference, actual);
    const method: AdoptMethod = source === target ? 'in-place' : source === 'public' || !ownLedger ? 'moved' : 'renamed';
    if (method === 'in-place' && !ownLedger) {
      throw new SchemaNotAdoptableError(`Schema "${source}" has a "${LEDGER_TABLE}" table that is not the tenant migrations' ledger`);
    }
    const domain = reference.tables.filter((t) => !BOOKKEEPING_TABLES.has(t.name)).map((t) => t.name);
    if (method === 'renamed') {
      await queryRunner.query(`ALTER SCHEMA ${quoteSchema(source)} RENAME TO ${quoteSchema(target)}`);
    } else if (method === 'moved') {
      await queryRunner.query(`CREATE SCHEMA ${quoteSchema(target)}`);
      for (const table of domain) {
        await queryRunner.query(`ALTER TABLE ${quoteSchema(source)}.${escapeIdentifier(table)} SET SCHEMA ${quoteSchema(target)}`);
      }
    }
    const version = await recordAsApplied(queryRunner, target, TENANT_STEPS);
    await this.ledger.recordReady(queryRunner, target, 'tenant', version, performance.now() - started);
    await watchArrivedWork(queryRunner, target, tenantId);
    const tables: LoadedTable[] = [];
    for (const table of domain) {
      const [{ rows }] = await query<{ rows: string }>(`SELECT count(*) AS "rows" FROM ${quoteSchema(target)}.${escapeIdentifier(table)}`);
      tables.push({ name: table, rows: Number(rows) });
    }
    return { method, tables };
  }

  /** The schema exists, has a name of ours, and is no one's yet (not the registry, a tenant's or a spare). */
  private async checkSource(query: RunQuery, schema: string): Promise<void> {
    if (typeof schema !== 'string' || schema.length === 0) throw new InvalidInputError('--from-schema must name a schema');
    if (schema === 'shared') throw new SchemaNotAdoptableError('Schema "shared" is the tenant registry');
    if (schema.startsWith('pg_') || schema === 'information_schema') {
      throw new SchemaNotAdoptableError(`Schema "${schema}" is a system schema`);
    }
    const found = await query('SELECT 1 FROM "pg_catalog"."pg_namespace" WHERE "nspname" = $1', [schema]);
    if (found.length === 0) throw new SchemaNotFoundError(schema);
    if (!SCHEMA_NAME_PATTERN.test(schema)) {
      throw new InvalidInputError(`Schema "${schema}" must first be renamed to lower-case letters, digits and underscores`);
    }
    const owners = await query<{ slug: string }>(`SELECT "slug" FROM "shared"."tenants" WHERE "schema_name" = $1`, [schema]);
    if (owners.length) throw new SchemaNotAdoptableError(`Schema "${schema}" is already the schema of tenant "${owners[0].slug}"`);
    const entries = await query<{ kind: string }>(`SELECT "kind" FROM "shared"."schema_versions" WHERE "schema_name" = $1`, [schema]);
    if (entries.length) throw new SchemaNotAdoptableError(`Schema "${schema}" is already a ${entries[0].kind} schema of the registry`);
  }

  /** What the tenant migrations build, read once per process from a scratch schema that is rolled back. */
  private referenceShape(): Promise<SchemaShape> {
    this.reference ??= this.buildReference().catch((error: Error) => {
      this.reference = undefined;
      throw error;
    });
    return this.reference;
  }

  private async buildReference(): Promise<SchemaShape> {
    const scratch = `adopt_reference_${randomBytes(6).toString('hex')}`;
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.connect();
    try {
      await queryRunner.startTransaction();
      await queryRunner.query(`CREATE SCHEMA ${quoteSchema(scratch)}`);
      await applyPendingMigrations(queryRunner, scratch, TENANT_STEPS);
      return await readSchemaShape((sql, params) => queryRunner.query(sql, params), scratch);
    } finally {
      if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
      await queryRunner.release();
    }
  }
}

/**
 * Whether the source's own `migrations` table (if any) can go on as the tenant ledger: the tenant layout, and
 * only tenant migrations recorded in it. A single-tenant application's ledger cannot, so it is left behind.
 */
async function ledgerFits(query: RunQuery, source: string, reference: SchemaShape, actual: SchemaShape): Promise<boolean> {
  if (!actual.tables.some((t) => t.name === LEDGER_TABLE)) return true;
  const only = (shape: SchemaShape): SchemaShape => ({
    tables: shape.tables.filter((t) => t.name === LEDGER_TABLE),
    definitions: shape.definitions.filter((d) => d.table === LEDGER_TABLE),
  });
  if (shapeDifferences(only(reference), only(actual)).length) return false;
  const known = new Set(TENANT_STEPS.map((s) => s.name));
  const recorded = await query<{ name: string }>(`SELECT DISTINCT "name" FROM ${quoteSchema(source)}."migrations"`);
  return recorded.every((r) => known.has(r.name));
}
