import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { requestStorage } from '../common/request-context';
import { TenantConnectionProvider } from './tenant-connection.provider';
import { TenantContext } from './tenant-context';

/**
 * Tenant-bound repositories for the domain services: every repository comes from the calling tenant's own
 * DataSource (entities bound to its schema). The DataSource is leased on first use in a request, so a
 * request that fails authentication never opens one.
 */
@Injectable()
export class TenantDatabase {
  constructor(
    private readonly context: TenantContext,
    private readonly connections: TenantConnectionProvider,
  ) {}

  dataSource(): Promise<DataSource> {
    const tenant = this.context.tenant;
    const state = requestStorage.getStore()!;
    state.tenantDataSource ??= this.connections.acquire(tenant.schemaName).then((lease) => {
      state.onEnd(lease.release);
      return lease.dataSource;
    });
    return state.tenantDataSource;
  }

  async repository<Entity extends ObjectLiteral>(entity: EntityTarget<Entity>): Promise<Repository<Entity>> {
    return (await this.dataSource()).getRepository(entity);
  }

  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return (await this.dataSource()).transaction(work);
  }
}
