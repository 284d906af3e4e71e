import { DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { ConfigModule } from './config/config.module';
import { EnvironmentVariables } from './config/environment-variables';
import { DatabaseModule } from './database/database.module';
import { ENTITIES } from './entities';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { SessionsModule } from './sessions/sessions.module';
import { TargetsModule } from './targets/targets.module';
import { TenancyModule } from './tenancy/tenancy.module';

export interface AppRuntime {
  config: EnvironmentVariables;
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static register({ config, databaseUrl }: AppRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl, ENTITIES),
        TenancyModule,
        AdminModule,
        TargetsModule,
        SessionsModule,
        JobsModule,
        HealthModule,
      ],
    };
  }
}
