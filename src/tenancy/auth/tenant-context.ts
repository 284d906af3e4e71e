import { Injectable } from '@nestjs/common';
import { RequestState, requestStorage } from '../../common/request-context';
import type { TenantIdentity } from './tenant-identity';

const tenantOfRequest = new WeakMap<RequestState, TenantIdentity>();

/**
 * The calling tenant of the current request. A singleton facade over AsyncLocalStorage that the API-key
 * guard fills, so providers that use it stay singletons (Scope.REQUEST would rebuild them per request).
 */
@Injectable()
export class TenantContext {
  get tenant(): TenantIdentity {
    const tenant = this.current;
    if (!tenant) throw new Error('TenantContext used outside an authenticated tenant request');
    return tenant;
  }

  /** The tenant of the current request, if it has been authenticated. */
  get current(): TenantIdentity | undefined {
    const state = requestStorage.getStore();
    return state && tenantOfRequest.get(state);
  }

  /** Called by the guard once the key is verified. */
  enter(tenant: TenantIdentity): void {
    tenantOfRequest.set(requestStorage.getStore()!, tenant);
  }
}
