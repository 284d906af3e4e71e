import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { RequestState, requestStorage } from '../common/request-context';
import type { EntityStatements } from '../database/entity-statements';
import { TenantConnectionProvider } from '../database/tenant-connections/tenant-connection.provider';
import { TenantContext } from './auth/tenant-context';
import { TenantEventsService } from './registry/tenant-events.service';

/**
 * Tenant-bound repositories for the feature services: every repository comes from the calling tenant's own
 * DataSource (entities bound to its schema). The DataSource is leased on first use in a request, so a
 * request that fails authentication never opens one.
 */
@Injectable()
export class TenantDatabase {
  private readonly leased = new WeakMap<RequestState, Promise<DataSource>>();

  constructor(
    private readonly context: TenantContext,
    private readonly connections: TenantConnectionProvider,
    events: TenantEventsService,
  ) {
    // A deleted or purged tenant's DataSource goes at once, on every instance (its keys are refused from then on).
    events.subscribe((change) => {
      if (change === 'resync') this.connections.forgetLedger();
      else if (change.reason === 'deleted' || change.reason === 'purged') this.connections.evict(change.schemaName);
    });
  }

  dataSource(): Promise<DataSource> {
    const tenant = this.context.tenant;
    const state = requestStorage.getStore()!;
    let dataSource = this.leased.get(state);
    if (!dataSource) {
      dataSource = this.connections.acquire(tenant.schemaName).then((lease) => {
        state.onEnd(lease.release);
        return lease.dataSource;
      });
      this.leased.set(state, dataSource);
    }
    return dataSource;
  }

  /**
   * Hand-written statements on an entity's table in the calling tenant's schema, run straight on a pooled
   * connection: for the hot reads, which then need no DataSource (a cold tenant costs a pool checkout only).
   */
  statements(entity: EntityTarget<ObjectLiteral>): EntityStatements | Promise<EntityStatements> {
    const { schemaName } = this.context.tenant;
    // Known from an earlier request: handed over without a promise.
    return this.connections.readyStatements(schemaName, entity) ?? this.connections.statements(schemaName, entity);
  }

  async repository<Entity extends ObjectLiteral>(entity: EntityTarget<Entity>): Promise<Repository<Entity>> {
    return (await this.dataSource()).getRepository(entity);
  }

  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return (await this.dataSource()).transaction(work);
  }
}
