import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyVerifierService } from './api-key-verifier.service';
import { SpareSchemaPoolService } from './spare-schema-pool.service';
import { TenantConnectionProvider } from './tenant-connection.provider';
import { TenantContext } from './tenant-context';
import { TenantDatabase } from './tenant-database.service';
import { TenantEventsService } from './tenant-events.service';
import { TenantProvisionerService } from './tenant-provisioner.service';
import { TenantsService } from './tenants.service';

const PROVIDERS = [
  ApiKeyGuard,
  ApiKeyVerifierService,
  SpareSchemaPoolService,
  TenantConnectionProvider,
  TenantContext,
  TenantDatabase,
  TenantEventsService,
  TenantProvisionerService,
  TenantsService,
];

/** The tenancy services without HTTP controllers: what the CLI needs (it never loads the OpenAPI layer). */
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class TenancyCoreModule {}
