import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { SpareSchemaPoolService } from './spare-schema-pool.service';
import { ApiKeyVerifierService } from './api-key-verifier.service';
import { TenantConnectionProvider } from './tenant-connection.provider';
import { TenantContext } from './tenant-context';
import { TenantDatabase } from './tenant-database.service';
import { TenantEventsService } from './tenant-events.service';
import { TenantInfoController } from './tenant-info.controller';
import { TenantProvisionerService } from './tenant-provisioner.service';
import { TenantsService } from './tenants.service';

@Module({
  controllers: [TenantInfoController],
  providers: [
    ApiKeyGuard,
    ApiKeyVerifierService,
    SpareSchemaPoolService,
    TenantConnectionProvider,
    TenantContext,
    TenantDatabase,
    TenantEventsService,
    TenantProvisionerService,
    TenantsService,
  ],
  exports: [
    ApiKeyGuard,
    ApiKeyVerifierService,
    TenantConnectionProvider,
    TenantContext,
    TenantDatabase,
    TenantEventsService,
    TenantsService,
    SpareSchemaPoolService,
  ],
})
export class TenancyModule {}
