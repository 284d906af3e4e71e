import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { EnvironmentVariables } from '../../config/environment-variables';
import { InvalidInputError } from '../../common/domain-errors';
import { isUuid } from '../../common/uuid';
import { SchemaExistsError, SlugTakenError, TenantNotFoundError } from './registry.errors';
import { newestFirstPage } from '../../common/keyset-page';
import type { Page } from '../../common/pagination';
import { DUPLICATE_SCHEMA, postgresError, UNIQUE_VIOLATION } from '../../database/postgres-errors';
import { inTransaction } from '../../database/transaction';
import { ApiKeysRepository } from '../auth/api-keys.repository';
import { newApiKey } from '../auth/new-api-key';
import { AuditAction, AuditTrail } from '../audit/audit-trail.service';
import { RateLimitInput, rateLimitProblems, toRateLimitSetting } from '../rate-limit/rate-limit-rules';
import { lockTenant } from './lock-tenant';
import { tenantRateLimit } from './tenant-view';
import { nameProblem, schemaNameForSlug, slugProblem } from './tenant-rules';
import { Tenant } from './tenant.entity';
import { TenantChangeReason, TenantEventsService } from './tenant-events.service';
import { TenantProvisionerService } from './tenant-provisioner.service';
import { SpareSchemaPoolService } from './spare-schema-pool.service';

/** The name of the key a tenant is created with, and of the one regeneration issues. */
export const DEFAULT_KEY_NAME = 'default';

export interface TenantWithKey {
  tenant: Tenant;
  apiKey: string;
}

/**
 * Builds and fills a new tenant's schema inside its create transaction, in place of the provisioner's empty
 * schema (import, clone, adopt). Whatever it throws rolls the whole create back.
 */
export type TenantSeed = (queryRunner: QueryRunner, tenant: Tenant) => Promise<void>;

export interface TenantChanges {
  name?: string;
  isActive?: boolean;
  /** null: back to the instance default. */
  rateLimit?: RateLimitInput | null;
}

export interface ListTenantsOptions {
  limit: number;
  cursor?: string;
  isActive?: boolean;
  /** Deleted tenants (awaiting their purge) are left out unless this is set. */
  includeDeleted?: boolean;
}

/** The tenant registry: the operations behind both the `/tenants` admin API and the CLI. */
@Injectable()
export class TenantsService {
  constructor(
    private readonly config: EnvironmentVariables,
    private readonly dataSource: DataSource,
    private readonly provisioner: TenantProvisionerService,
    private readonly events: TenantEventsService,
    private readonly spares: SpareSchemaPoolService,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditTrail,
  ) {}

  /** Row, schema, migrations and key hash in one transaction: all of it or none of it. */
  async create(name: string, slug: string, seed?: TenantSeed): Promise<TenantWithKey> {
    const problems = [nameProblem(name), slugProblem(slug)].filter((p): p is string => p !== null);
    if (problems.length) throw new InvalidInputError(problems.join('; '));
    const now = new Date();
    const tenant = Object.assign(new Tenant(), {
      id: randomUUID(),
      name: name.trim(),
      slug,
      schemaName: schemaNameForSlug(slug),
      isActive: true,
      rateLimitRps: null,
      rateLimitBurst: null,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      purgeAfter: null,
    });
    const key = await newApiKey(this.config.API_KEY_PBKDF2_ITERATIONS, { tenantId: tenant.id, name: DEFAULT_KEY_NAME });
    try {
      await inTransaction(this.dataSource, async (queryRunner) => {
        // The row goes first: a concurrent create of the same slug waits on its unique index, then fails.
        await queryRunner.manager.insert(Tenant, tenant);
        await this.keys.insert(queryRunner.manager, key.row);
        if (seed) await seed(queryRunner, tenant);
        else await this.provisioner.createSchema(queryRunner, tenant.schemaName);
        await this.audit.record(queryRunner.manager, {
          action: 'tenant.created',
          tenantId: tenant.id,
          keyId: key.row.id,
          detail: { name: tenant.name, slug, schemaName: tenant.schemaName },
        });
      });
    } catch (error) {
      const { code, constraint } = postgresError(error);
      if (code === UNIQUE_VIOLATION && constraint !== 'api_keys_pkey') throw new SlugTakenError(slug);
      if (code === DUPLICATE_SCHEMA) throw new SchemaExistsError(slug);
      throw error;
    }
    this.spares.scheduleRefill();
    return { tenant, apiKey: key.apiKey };
  }

  async list(options: ListTenantsOptions): Promise<Page<Tenant>> {
    const query = this.dataSource.getRepository(Tenant).createQueryBuilder('t');
    if (options.isActive !== undefined) query.andWhere('t.is_active = :isActive', { isActive: options.isActive });
    if (!options.includeDeleted) query.andWhere('t.deleted_at IS NULL');
    return newestFirstPage(query, options.limit, options.cursor);
  }

  /** By id (UUID) or by slug. */
  async get(idOrSlug: string): Promise<Tenant> {
    const where = isUuid(idOrSlug) ? { id: idOrSlug } : { slug: idOrSlug };
    const tenant = await this.dataSource.getRepository(Tenant).findOne({ where });
    if (!tenant) throw new TenantNotFoundError();
    return tenant;
  }

  /** Every instance drops its cached keys of the tenant, so a new rate limit applies at once everywhere. */
  async update(idOrSlug: string, changes: TenantChanges): Promise<Tenant> {
    const problems = [
      changes.name === undefined ? null : nameProblem(changes.name),
      changes.isActive === undefined || typeof changes.isActive === 'boolean' ? null : 'isActive must be a boolean',
      ...(changes.rateLimit === undefined ? [] : rateLimitProblems(changes.rateLimit)),
    ].filter((p): p is string => p !== null);
    if (problems.length) throw new InvalidInputError(problems.join('; '));
    return this.changeTenant(idOrSlug, 'updated', async (tenant, queryRunner) => {
      const detail: Record<string, unknown> = {};
      if (changes.name !== undefined && changes.name.trim() !== tenant.name) {
        detail.name = { from: tenant.name, to: changes.name.trim() };
        tenant.name = changes.name.trim();
      }
      if (changes.rateLimit !== undefined) {
        const from = tenantRateLimit(tenant);
        const to = changes.rateLimit && toRateLimitSetting(changes.rateLimit);
        if (JSON.stringify(from) !== JSON.stringify(to)) detail.rateLimit = { from, to };
        tenant.rateLimitRps = to?.requestsPerSecond ?? null;
        tenant.rateLimitBurst = to?.burst ?? null;
      }
      let action: AuditAction = 'tenant.updated';
      if (changes.isActive !== undefined && changes.isActive !== tenant.isActive) {
        action = changes.isActive ? 'tenant.reactivated' : 'tenant.deactivated';
        tenant.isActive = changes.isActive;
      }
      if (action !== 'tenant.updated' || Object.keys(detail).length) {
        await this.audit.record(queryRunner.manager, { action, tenantId: tenant.id, detail });
      }
    });
  }

  /** For a compromised tenant: every key revoked at once, on every instance, and one new key with every scope. */
  async regenerateKey(idOrSlug: string): Promise<TenantWithKey> {
    // Hashed before the tenant row is locked; the tenant id is filled in under the lock.
    const key = await newApiKey(this.config.API_KEY_PBKDF2_ITERATIONS, { tenantId: '', name: DEFAULT_KEY_NAME });
    const tenant = await this.changeTenant(idOrSlug, 'key-regenerated', async (row, queryRunner) => {
      key.row.tenantId = row.id;
      const revoked = await this.keys.revoke(queryRunner.manager, row.id);
      await this.keys.insert(queryRunner.manager, key.row);
      await this.audit.record(queryRunner.manager, {
        action: 'key.regenerated',
        tenantId: row.id,
        keyId: key.row.id,
        detail: { revokedKeyIds: revoked.map((k) => k.id) },
      });
    });
    return { tenant, apiKey: key.apiKey };
  }

  private async changeTenant(
    idOrSlug: string,
    reason: TenantChangeReason,
    change: (tenant: Tenant, queryRunner: QueryRunner) => Promise<void>,
  ): Promise<Tenant> {
    return inTransaction(this.dataSource, async (queryRunner) => {
      const tenant = await lockTenant(queryRunner, idOrSlug);
      await change(tenant, queryRunner);
      tenant.updatedAt = new Date();
      await queryRunner.manager.save(Tenant, tenant);
      await this.events.publish(queryRunner, { tenantId: tenant.id, schemaName: tenant.schemaName, reason });
      return tenant;
    });
  }
}
