import { CreateTenantRegistry1764300000000 } from './1764300000000-CreateTenantRegistry';

/** Shared-schema migrations, oldest first. Listed explicitly (no globs) so builds and tests see the same set. */
export const SHARED_MIGRATIONS = [CreateTenantRegistry1764300000000];
