import { CreateTenantRegistry1764300000000 } from './1764300000000-CreateTenantRegistry';
import { CreateApiKeys1764500000000 } from './1764500000000-CreateApiKeys';
import { WidenSharedMigrationsId1764560000000 } from './1764560000000-WidenMigrationsId';
import { CreateAuditEvents1764600000000 } from './1764600000000-CreateAuditEvents';
import { CreateJobLeaseWatch1764700000000 } from './1764700000000-CreateJobLeaseWatch';
import { AddTenantRateLimit1764810000000 } from './1764810000000-AddTenantRateLimit';
import { CreateScheduleWatch1764900000000 } from './1764900000000-CreateScheduleWatch';
import { TenantSoftDelete1764950000000 } from './1764950000000-TenantSoftDelete';

/** Shared-schema migrations, oldest first. Listed explicitly (no globs) so builds and tests see the same set. */
export const SHARED_MIGRATIONS = [
  CreateTenantRegistry1764300000000,
  CreateApiKeys1764500000000,
  WidenSharedMigrationsId1764560000000,
  CreateAuditEvents1764600000000,
  CreateJobLeaseWatch1764700000000,
  AddTenantRateLimit1764810000000,
  CreateScheduleWatch1764900000000,
  TenantSoftDelete1764950000000,
];
