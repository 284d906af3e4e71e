import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';

/** Targets, sessions, jobs and job logs: every service works through TenantDatabase only. */
@Module({
  imports: [TenancyModule],
})
export class DomainModule {}
