import { Controller, Get, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { EnvironmentVariables } from '../../src/config/environment-variables';
import { TenancyModule } from '../../src/tenancy/tenancy.module';
import { TenantDatabase } from '../../src/tenancy/tenant-database.service';
import { TenantRoute } from '../../src/tenancy/auth/tenant-route.decorator';
import { buildApp } from './test-app';

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
export function buildAppWithProbe(
  databaseUrl: string,
  overrides: Record<string, string | undefined> = {},
): Promise<{ app: NestExpressApplication; config: EnvironmentVariables }> {
  return buildApp(databaseUrl, overrides, [TenantProbeModule]);
}
