import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TargetsModule } from '../targets/targets.module';

/** Targets, sessions, jobs and job logs: every service works through TenantDatabase only. */
@Module({
  imports: [TargetsModule, SessionsModule, JobsModule],
})
export class DomainModule {}
