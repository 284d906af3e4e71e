import type { Tenant } from './tenant.entity';

/** The public view of a registry row, shared by the admin API and the CLI: never the key hash. */
export interface TenantView {
  id: string;
  name: string;
  slug: string;
  schemaName: string;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toTenantView(tenant: Tenant): TenantView {
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    schemaName: tenant.schemaName,
    isActive: tenant.isActive,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}
