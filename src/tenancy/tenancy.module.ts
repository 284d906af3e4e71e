import { Module } from '@nestjs/common';
import { TenancyCoreModule } from './tenancy-core.module';
import { TenantInfoController } from './tenant-info.controller';

@Module({
  imports: [TenancyCoreModule],
  controllers: [TenantInfoController],
  exports: [TenancyCoreModule],
})
export class TenancyModule {}
