/** Tenant-schema migrations, oldest first; every one is applied to every tenant and spare schema. */
export const TENANT_MIGRATIONS: Array<new () => import('typeorm').MigrationInterface> = [];
