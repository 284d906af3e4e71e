import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AdminKeyGuard } from './admin-key.guard';
import { TenantAuditAdminController } from './tenant-audit-admin.controller';
import { TenantKeysAdminController } from './tenant-keys-admin.controller';
import { TenantLifecycleController } from './tenant-lifecycle.controller';
import { TenantsAdminController } from './tenants-admin.controller';

@Module({
  imports: [TenancyModule],
  controllers: [TenantsAdminController, TenantKeysAdminController, TenantAuditAdminController, TenantLifecycleController],
  providers: [AdminKeyGuard],
})
export class AdminModule {}
