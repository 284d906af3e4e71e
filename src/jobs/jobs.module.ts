import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { JobLogsController } from './job-logs.controller';
import { JobLogsService } from './job-logs.service';
import { JobWorkerController } from './job-worker.controller';
import { JobWakeupsService } from './job-wakeups.service';
import { JobWorkerService } from './job-worker.service';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

@Module({
  imports: [TenancyModule],
  controllers: [JobWorkerController, JobsController, JobLogsController],
  providers: [JobsService, JobWorkerService, JobLogsService, JobWakeupsService],
  exports: [JobsService, JobWorkerService, JobLogsService],
})
export class JobsModule {}
