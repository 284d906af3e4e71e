import { Module } from '@nestjs/common';
import { TenancyCoreModule } from './tenancy-core.module';
import { TenantInfoController } from './tenant-info.controller';
import { TenantPurgeTimer } from './registry/tenant-purge-timer.service';

@Module({
  imports: [TenancyCoreModule],
  controllers: [TenantInfoController],
  // The server's purge timer; the CLI (TenancyCoreModule only) purges on demand.
  providers: [TenantPurgeTimer],
  exports: [TenancyCoreModule],
})
export class TenancyModule {}
