import type { RateLimitSetting } from '../rate-limit/rate-limit-rules';
import type { Tenant } from './tenant.entity';

/** The public view of a registry row, shared by the admin API and the CLI: never the key hash. */
export interface TenantView {
  id: string;
  name: string;
  slug: string;
  schemaName: string;
  isActive: boolean;
  /** The tenant's own rate limit; null = the instance default (TENANT_RATE_LIMIT_RPS). */
  rateLimit: RateLimitSetting | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  purgeAfter: string | null;
}

export function toTenantView(tenant: Tenant): TenantView {
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    schemaName: tenant.schemaName,
    isActive: tenant.isActive,
    rateLimit: tenantRateLimit(tenant),
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
    deletedAt: tenant.deletedAt?.toISOString() ?? null,
    purgeAfter: tenant.purgeAfter?.toISOString() ?? null,
  };
}

export function tenantRateLimit(tenant: Pick<Tenant, 'rateLimitRps' | 'rateLimitBurst'>): RateLimitSetting | null {
  // `== null`: an entity built in code may leave the columns undefined, which is the default too.
  if (tenant.rateLimitRps == null || tenant.rateLimitBurst == null) return null;
  return { requestsPerSecond: tenant.rateLimitRps, burst: tenant.rateLimitBurst };
}
