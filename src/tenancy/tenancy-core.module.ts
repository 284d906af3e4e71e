import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyVerifierService } from './auth/api-key-verifier.service';
import { ApiKeysRepository } from './auth/api-keys.repository';
import { AuthFailuresRepository } from './auth/auth-failures.repository';
import { AuthThrottle } from './auth/auth-throttle';
import { LastUsedRecorder } from './auth/last-used-recorder';
import { AuditTrail } from './audit/audit-trail.service';
import { KeyThrottleAuditor } from './audit/key-throttle-auditor';
import { ApiKeysService } from './keys/api-keys.service';
import { SpareSchemaPoolService } from './registry/spare-schema-pool.service';
import { TenantContext } from './auth/tenant-context';
import { TenantDatabase } from './tenant-database.service';
import { TenantEventsService } from './registry/tenant-events.service';
import { TenantProvisionerService } from './registry/tenant-provisioner.service';
import { TenantsService } from './registry/tenants.service';
import { TenantAuditLog } from './registry/tenant-audit-log.service';
import { TenantDeletionService } from './registry/tenant-deletion.service';
import { TenantRetentionRepository } from './registry/tenant-retention.repository';
import { LIFECYCLE_PROVIDERS } from './lifecycle/lifecycle.providers';
import { TenantRateLimiter } from './rate-limit/tenant-rate-limiter';

const PROVIDERS = [
  ApiKeyGuard,
  ApiKeyVerifierService,
  ApiKeysRepository,
  ApiKeysService,
  AuditTrail,
  KeyThrottleAuditor,
  AuthFailuresRepository,
  AuthThrottle,
  LastUsedRecorder,
  SpareSchemaPoolService,
  TenantContext,
  TenantDatabase,
  TenantEventsService,
  TenantProvisionerService,
  TenantRateLimiter,
  TenantsService,
  TenantAuditLog,
  TenantDeletionService,
  TenantRetentionRepository,
  ...LIFECYCLE_PROVIDERS,
];

/** The tenancy services without HTTP controllers: what the CLI needs (it never loads the OpenAPI layer). */
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class TenancyCoreModule {}
