import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AdminModule } from './admin/admin.module';
import { ConfigModule } from './config/config.module';
import { EnvironmentVariables } from './config/environment-variables';
import { DatabaseModule } from './database/database.module';
import { ENTITIES } from './entities';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { RunningJobsKeepTarget } from './jobs/running-jobs-keep-target';
import { LoggingModule } from './ops/logging/logging.module';
import { OpsModule } from './ops/ops.module';
import { SchedulesModule } from './schedules/schedules.module';
import { createRootLogger } from './ops/logging/root-logger';
import { SessionsModule } from './sessions/sessions.module';
import { TargetsModule } from './targets/targets.module';
import { TenancyModule } from './tenancy/tenancy.module';

export interface AppRuntime {
  config: EnvironmentVariables;
  databaseUrl: string;
  /** The root pino logger (main.ts makes it first, to log the start-up); built from the config when absent. */
  logger?: Logger;
}

@Module({})
export class AppModule {
  static register({ config, databaseUrl, logger }: AppRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger ?? createRootLogger(config)),
        DatabaseModule.forRoot(databaseUrl, ENTITIES),
        TenancyModule,
        AdminModule,
        TargetsModule.register({ deletionCheck: RunningJobsKeepTarget }),
        SessionsModule,
        JobsModule,
        SchedulesModule,
        HealthModule,
        OpsModule,
      ],
    };
  }
}
