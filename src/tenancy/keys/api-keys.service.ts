import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { EnvironmentVariables } from '../../config/environment-variables';
import { InvalidInputError } from '../../common/domain-errors';
import type { Page } from '../../common/pagination';
import { postgresError, UNIQUE_VIOLATION } from '../../database/postgres-errors';
import { inTransaction } from '../../database/transaction';
import type { ApiKey } from '../auth/api-key.entity';
import type { ApiKeyScope } from '../auth/api-key-scopes';
import { ApiKeysRepository } from '../auth/api-keys.repository';
import { newApiKey } from '../auth/new-api-key';
import { AuditTrail } from '../audit/audit-trail.service';
import { lockTenant } from '../registry/lock-tenant';
import { TenantChangeReason, TenantEventsService } from '../registry/tenant-events.service';
import type { Tenant } from '../registry/tenant.entity';
import { TenantsService } from '../registry/tenants.service';
import { expiresAtProblem, graceSecondsProblem, keyNameProblem, scopesProblem } from './api-key-rules';
import { ApiKeyNameTakenError, ApiKeyNotFoundError, ApiKeyRevokedError } from './keys.errors';

export interface CreateKeyOptions {
  name: string;
  scopes?: ApiKeyScope[];
  expiresAt?: Date | null;
}

export interface KeyWithSecret {
  key: ApiKey;
  /** Shown once. */
  apiKey: string;
}

/** A tenant's keys: the operations behind `/tenants/{id}/keys…` and the CLI's `keys` commands. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly config: EnvironmentVariables,
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeysRepository,
    private readonly tenants: TenantsService,
    private readonly events: TenantEventsService,
    private readonly audit: AuditTrail,
  ) {}

  async list(idOrSlug: string, options: { limit: number; cursor?: string; includeRevoked?: boolean }): Promise<Page<ApiKey>> {
    const tenant = await this.tenants.get(idOrSlug);
    return this.keys.list(tenant.id, options.limit, options.cursor, options.includeRevoked ?? false);
  }

  async create(idOrSlug: string, options: CreateKeyOptions): Promise<KeyWithSecret> {
    const problems = [
      keyNameProblem(options.name),
      options.scopes === undefined ? null : scopesProblem(options.scopes),
      options.expiresAt ? expiresAtProblem(options.expiresAt) : null,
    ].filter((p): p is string => p !== null);
    if (problems.length) throw new InvalidInputError(problems.join('; '));
    const name = options.name.trim();
    // Hashed before any row is locked.
    const fresh = await newApiKey(this.config.API_KEY_PBKDF2_ITERATIONS, { tenantId: '', name, scopes: options.scopes, expiresAt: options.expiresAt });
    await this.inTenant(idOrSlug, null, async (tenant, queryRunner) => {
      fresh.row.tenantId = tenant.id;
      await this.insert(queryRunner, fresh.row);
      await this.audit.record(queryRunner.manager, {
        action: 'key.created',
        tenantId: tenant.id,
        keyId: fresh.row.id,
        detail: { name, scopes: fresh.row.scopes, expiresAt: fresh.row.expiresAt?.toISOString() ?? null },
      });
    });
    return { key: fresh.row, apiKey: fresh.apiKey };
  }

  /** Refused from the commit on, on every instance (the notification evicts cached keys). */
  async revoke(idOrSlug: string, keyId: string): Promise<void> {
    await this.inTenant(idOrSlug, 'key-revoked', async (tenant, queryRunner) => {
      const key = await this.keys.findOfTenant(queryRunner.manager, tenant.id, keyId);
      if (!key) throw new ApiKeyNotFoundError();
      const revoked = await this.keys.revoke(queryRunner.manager, tenant.id, key.id);
      if (revoked.length) {
        await this.audit.record(queryRunner.manager, { action: 'key.revoked', tenantId: tenant.id, keyId: key.id, detail: { name: key.name } });
      }
    });
  }

  /** A new key with the same name, scopes and expiry; the old one works until `graceUntil` (now + graceSeconds). */
  async rotate(idOrSlug: string, keyId: string, graceSeconds = 0): Promise<KeyWithSecret> {
    const problem = graceSecondsProblem(graceSeconds);
    if (problem) throw new InvalidInputError(problem);
    const fresh = await newApiKey(this.config.API_KEY_PBKDF2_ITERATIONS, { tenantId: '', name: '' });
    await this.inTenant(idOrSlug, 'key-rotated', async (tenant, queryRunner) => {
      const old = await this.keys.findOfTenant(queryRunner.manager, tenant.id, keyId);
      if (!old) throw new ApiKeyNotFoundError();
      if (old.revokedAt) throw new ApiKeyRevokedError();
      Object.assign(fresh.row, { tenantId: tenant.id, name: old.name, scopes: old.scopes, expiresAt: old.expiresAt });
      await this.keys.rotateOut(queryRunner.manager, old.id, graceSeconds);
      await this.insert(queryRunner, fresh.row);
      await this.audit.record(queryRunner.manager, {
        action: 'key.rotated',
        tenantId: tenant.id,
        keyId: old.id,
        detail: { name: old.name, newKeyId: fresh.row.id, graceSeconds },
      });
    });
    return { key: fresh.row, apiKey: fresh.apiKey };
  }

  private async insert(queryRunner: QueryRunner, row: ApiKey): Promise<void> {
    try {
      await this.keys.insert(queryRunner.manager, row);
    } catch (error) {
      const { code, constraint } = postgresError(error);
      if (code === UNIQUE_VIOLATION && constraint === 'api_keys_live_name_key') throw new ApiKeyNameTakenError(row.name);
      throw error;
    }
  }

  /** Under the tenant's row lock (key changes of one tenant serialize with regeneration); `reason` notifies every instance. */
  private inTenant(idOrSlug: string, reason: TenantChangeReason | null, work: (tenant: Tenant, queryRunner: QueryRunner) => Promise<void>) {
    return inTransaction(this.dataSource, async (queryRunner) => {
      const tenant = await lockTenant(queryRunner, idOrSlug);
      await work(tenant, queryRunner);
      if (reason) await this.events.publish(queryRunner, { tenantId: tenant.id, schemaName: tenant.schemaName, reason });
    });
  }
}
