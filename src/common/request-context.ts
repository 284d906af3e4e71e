import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource } from 'typeorm';
import type { TenantIdentity } from '../tenancy/tenant-identity';

/** What one HTTP request carries through its async call chain (filled by middleware, then the API-key guard). */
export class RequestState {
  tenant?: TenantIdentity;
  /** The tenant's data source, leased on first use and released when the response ends. */
  tenantDataSource?: Promise<DataSource>;
  private readonly cleanups: Array<() => void> = [];
  private ended = false;
  constructor(readonly requestId: string) {}

  /** Runs `cleanup` when the response has ended (at once if it already has). */
  onEnd(cleanup: () => void): void {
    if (this.ended) cleanup();
    else this.cleanups.push(cleanup);
  }

  end(): void {
    this.ended = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

export const requestStorage = new AsyncLocalStorage<RequestState>();
