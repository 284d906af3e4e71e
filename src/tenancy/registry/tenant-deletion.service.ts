import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { EnvironmentVariables } from '../../config/environment-variables';
import { isDeadlock } from '../../database/postgres-errors';
import { inTransaction } from '../../database/transaction';
import { AuditTrail } from '../audit/audit-trail.service';
import { lockTenant } from './lock-tenant';
import { TenantAlreadyDeletedError, TenantNotDeletedError } from './registry.errors';
import { Tenant } from './tenant.entity';
import { TenantChangeReason, TenantEventsService } from './tenant-events.service';
import { TenantProvisionerService } from './tenant-provisioner.service';
import { TenantRetentionRepository } from './tenant-retention.repository';

const PURGE_ATTEMPTS = 5;
const DUE_PER_BATCH = 100;

export interface PurgeDueOptions {
  /** Wait for another instance's purge in progress (the CLI); a timer passes false and leaves the work to it. */
  wait: boolean;
}

export interface PurgeDueReport {
  purged: Tenant[];
  failed: Array<{ tenantId: string; message: string }>;
  /** Another instance held the purge lock: it does the rest. */
  busy: boolean;
}

/**
 * Soft delete, restore and purge. A deleted tenant keeps its row, schema and keys (refused with 403 on every
 * instance) for TENANT_RETENTION_DAYS; the purge then removes schema, ledger entry, keys and row, and keeps
 * its audit events. Each step is one transaction with its audit event and its notification.
 */
@Injectable()
export class TenantDeletionService {
  constructor(
    private readonly config: EnvironmentVariables,
    private readonly dataSource: DataSource,
    private readonly provisioner: TenantProvisionerService,
    private readonly retention: TenantRetentionRepository,
    private readonly events: TenantEventsService,
    private readonly audit: AuditTrail,
  ) {}

  /** Soft delete: refused if already deleted (restore it, or purge it). */
  async delete(idOrSlug: string): Promise<Tenant> {
    return inTransaction(this.dataSource, async (queryRunner) => {
      const tenant = await lockTenant(queryRunner, idOrSlug);
      if (tenant.deletedAt) throw new TenantAlreadyDeletedError();
      Object.assign(tenant, await this.retention.markDeleted(queryRunner.manager, tenant.id, this.config.TENANT_RETENTION_DAYS));
      await this.audit.record(queryRunner.manager, {
        action: 'tenant.deleted',
        tenantId: tenant.id,
        detail: { slug: tenant.slug, purgeAfter: tenant.purgeAfter!.toISOString() },
      });
      await this.notify(queryRunner, tenant, 'deleted');
      return tenant;
    });
  }

  /** Brings a deleted tenant back with its keys; refused for a live tenant, not found once purged. */
  async restore(idOrSlug: string): Promise<Tenant> {
    return inTransaction(this.dataSource, async (queryRunner) => {
      const tenant = await lockTenant(queryRunner, idOrSlug);
      if (!tenant.deletedAt) throw new TenantNotDeletedError();
      const deletedAt = tenant.deletedAt.toISOString();
      Object.assign(tenant, await this.retention.markRestored(queryRunner.manager, tenant.id));
      await this.audit.record(queryRunner.manager, { action: 'tenant.restored', tenantId: tenant.id, detail: { slug: tenant.slug, deletedAt } });
      await this.notify(queryRunner, tenant, 'restored');
      return tenant;
    });
  }

  /** Erases at once, whether the tenant is live or already deleted. Answers the tenant as it was. */
  async purge(idOrSlug: string): Promise<Tenant> {
    return this.retryingDeadlocks(() =>
      inTransaction(this.dataSource, async (queryRunner) => {
        const tenant = await lockTenant(queryRunner, idOrSlug);
        await this.erase(queryRunner, tenant, false);
        return tenant;
      }),
    );
  }

  /** Purges every deleted tenant whose `purgeAfter` has passed, one transaction each, under the purge lock. */
  async purgeDue(options: PurgeDueOptions): Promise<PurgeDueReport> {
    const report: PurgeDueReport = { purged: [], failed: [], busy: false };
    let batch: string[];
    let progressed: boolean;
    do {
      batch = await this.retention.due(DUE_PER_BATCH);
      progressed = false;
      for (const tenantId of batch) {
        let outcome: Tenant | 'busy' | null;
        try {
          outcome = await this.retryingDeadlocks(() => this.purgeIfDue(tenantId, options.wait));
        } catch (error) {
          report.failed.push({ tenantId, message: (error as Error).message });
          continue;
        }
        if (outcome === 'busy') return { ...report, busy: true };
        if (outcome) report.purged.push(outcome);
        progressed = true;
      }
    } while (batch.length === DUE_PER_BATCH && progressed);
    return report;
  }

  /** null: restored or purged by someone else since it was listed. */
  private purgeIfDue(tenantId: string, wait: boolean): Promise<Tenant | 'busy' | null> {
    return inTransaction(this.dataSource, async (queryRunner) => {
      if (!(await this.retention.lockPurge(queryRunner.manager, wait))) return 'busy';
      const tenant = await this.retention.lockIfDue(queryRunner.manager, tenantId);
      if (!tenant) return null;
      await this.erase(queryRunner, tenant, true);
      return tenant;
    });
  }

  /** Schema, ledger entry, keys and row; the audit event stays (no foreign key to the row). */
  private async erase(queryRunner: QueryRunner, tenant: Tenant, due: boolean): Promise<void> {
    await this.provisioner.dropSchema(queryRunner, tenant.schemaName);
    await this.retention.remove(queryRunner.manager, tenant.id);
    await this.audit.record(queryRunner.manager, {
      action: 'tenant.purged',
      tenantId: tenant.id,
      detail: { slug: tenant.slug, schemaName: tenant.schemaName, deletedAt: tenant.deletedAt?.toISOString() ?? null, due },
    });
    await this.notify(queryRunner, tenant, 'purged');
  }

  private notify(queryRunner: QueryRunner, tenant: Tenant, reason: TenantChangeReason): Promise<void> {
    return this.events.publish(queryRunner, { tenantId: tenant.id, schemaName: tenant.schemaName, reason });
  }

  /**
   * DROP SCHEMA takes its tables' locks one by one, so it can deadlock with the tenant's in-flight requests
   * (which lock them in another order): whichever PostgreSQL rolls back retries, the requests as a 503, the purge here.
   */
  private async retryingDeadlocks<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isDeadlock(error) || attempt === PURGE_ATTEMPTS) throw error;
      }
    }
  }
}
