import { Controller, Get, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { EnvironmentVariables, validateEnvironment } from '../../src/config/environment-variables';
import { SharedMigrationsService } from '../../src/database/shared-migrations.service';
import { TenancyModule } from '../../src/tenancy/tenancy.module';
import { TenantDatabase } from '../../src/tenancy/tenant-database.service';
import { TenantRoute } from '../../src/tenancy/tenant-route.decorator';
import { TEST_ADMIN_KEY } from './test-app';

/**
 * A tenant route that runs one query through the caller's own DataSource, independent of the domain routes:
 * it lets auth tests check that a refused request never opens a tenant DataSource, and that an accepted one does.
 */
@TenantRoute()
@Controller('__probe')
export class TenantProbeController {
  constructor(private readonly database: TenantDatabase) {}

  @Get()
  async probe(): Promise<{ schema: string }> {
    const dataSource = await this.database.dataSource();
    const schema = (dataSource.options as { schema?: string }).schema;
    const [row] = await dataSource.query(`SELECT $1::text AS "schema"`, [schema]);
    return { schema: row.schema };
  }
}

@Module({ imports: [TenancyModule], controllers: [TenantProbeController] })
export class TenantProbeModule {}

/** Like `buildApp`, plus the probe route. */
export async function buildAppWithProbe(
  databaseUrl: string,
  overrides: Record<string, string | undefined> = {},
): Promise<{ app: NestExpressApplication; config: EnvironmentVariables }> {
  const config = validateEnvironment({
    ...process.env,
    DATABASE_URL: databaseUrl,
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    AUTH_FAILURE_LIMIT: '10000',
    LOG_LEVEL: 'error',
    ...overrides,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.register({ config, databaseUrl }), TenantProbeModule],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error'] });
  configureApp(app, config);
  await app.init();
  await app.get(SharedMigrationsService).migrate();
  return { app, config };
}
