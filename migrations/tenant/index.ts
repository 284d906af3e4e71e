import type { MigrationInterface } from 'typeorm';
import { CreateDomainTables1764400000000 } from './1764400000000-CreateDomainTables';
import { WidenMigrationsId1764560000000 } from './1764560000000-WidenMigrationsId';
import { JobQueueV21764600000000 } from './1764600000000-JobQueueV2';
import { CreateSchedules1764900000000 } from './1764900000000-CreateSchedules';

/** Tenant-schema migrations, oldest first; every one is applied to every tenant and spare schema. */
export const TENANT_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateDomainTables1764400000000,
  WidenMigrationsId1764560000000,
  JobQueueV21764600000000,
  CreateSchedules1764900000000,
];
