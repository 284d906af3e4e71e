import { Injectable } from '@nestjs/common';
import { requestStorage } from '../common/request-context';
import type { TenantIdentity } from './tenant-identity';

/**
 * The calling tenant of the current request. A singleton facade over AsyncLocalStorage that the API-key
 * guard fills, so providers that use it stay singletons (Scope.REQUEST would rebuild them per request).
 */
@Injectable()
export class TenantContext {
  get tenant(): TenantIdentity {
    const tenant = requestStorage.getStore()?.tenant;
    if (!tenant) throw new Error('TenantContext used outside an authenticated tenant request');
    return tenant;
  }
}
