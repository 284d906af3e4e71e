import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ScheduleRunnerService } from './schedule-runner.service';
import { ScheduleWatchRepository } from './schedule-watch.repository';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

@Module({
  imports: [TenancyModule, JobsModule],
  controllers: [SchedulesController],
  providers: [SchedulesService, ScheduleWatchRepository, ScheduleRunnerService],
  exports: [SchedulesService],
})
export class SchedulesModule {}
