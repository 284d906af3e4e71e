import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AdminKeyGuard } from './admin-key.guard';
import { TenantsAdminController } from './tenants-admin.controller';

@Module({
  imports: [TenancyModule],
  controllers: [TenantsAdminController],
  providers: [AdminKeyGuard],
})
export class AdminModule {}
