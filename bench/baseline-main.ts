import 'reflect-metadata';
import { CanActivate, ExecutionContext, Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Pool } from 'pg';
import { DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { managerStatements, type EntityStatements } from '../src/database/entity-statements';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { ApiExpressAdapter } from '../src/http/api-express-adapter';
import { applyV8Tuning } from '../src/config/v8-tuning';
import { loadConfig } from '../src/config/load-config';
import { logLevelsFrom } from '../src/config/log-levels';
import { tenantDataSourceOptions } from '../src/database/data-source-options';
import { ApiKeyGuard } from '../src/tenancy/auth/api-key.guard';
import type { TenantConnectionProvider } from '../src/database/tenant-connections/tenant-connection.provider';
import { TenantContext } from '../src/tenancy/auth/tenant-context';
import { TenantDatabase } from '../src/tenancy/tenant-database.service';
import type { TenantIdentity } from '../src/tenancy/auth/tenant-identity';
import type { TenantEventsService } from '../src/tenancy/registry/tenant-events.service';
import { TENANT_ENTITIES } from '../src/entities';

/**
 * The single-tenant baseline of `npm run bench`: the same AppModule, controllers, services and queries, with
 * the two tenancy pieces replaced — no key verification (the guard only sets a fixed tenant) and one
 * DataSource on one schema instead of the per-tenant LRU. Environment: what main.ts reads, with DATABASE_URL
 * set, plus BENCH_BASELINE_TENANT (the tenant identity as JSON) and optionally BENCH_BASELINE_POOL.
 */
class FixedTenantGuard implements CanActivate {
  constructor(
    private readonly context: TenantContext,
    private readonly tenant: TenantIdentity,
  ) {}

  canActivate(_context: ExecutionContext): boolean {
    this.context.enter(this.tenant);
    return true;
  }
}

class FixedTenantDatabase extends TenantDatabase {
  constructor(
    context: TenantContext,
    private readonly fixed: Promise<DataSource>,
  ) {
    super(context, undefined as unknown as TenantConnectionProvider, { subscribe: () => undefined } as unknown as TenantEventsService);
  }

  override dataSource(): Promise<DataSource> {
    return this.fixed;
  }

  // Like the app's: the statement runs on a pooled connection, not through a query runner.
  override async statements(entity: EntityTarget<ObjectLiteral>): Promise<EntityStatements> {
    const dataSource = await this.fixed;
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    return { ...managerStatements(dataSource.manager, entity), query: async (sql, params) => (await pool.query(sql, params)).rows };
  }
}

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  applyV8Tuning({ heapGrowthPercent: config.HEAP_GROWTH_PERCENT, pretenuring: config.V8_PRETENURING });
  const databaseUrl = config.DATABASE_URL;
  const identityJson = process.env.BENCH_BASELINE_TENANT;
  if (!databaseUrl || !identityJson) throw new Error('DATABASE_URL and BENCH_BASELINE_TENANT are required');
  const parsed = JSON.parse(identityJson) as TenantIdentity & { createdAt: string };
  const tenant: TenantIdentity = { ...parsed, createdAt: new Date(parsed.createdAt) };
  const poolMax = Number(process.env.BENCH_BASELINE_POOL ?? config.TENANT_POOL_MAX);
  const dataSource = new DataSource(tenantDataSourceOptions({ ...config, TENANT_POOL_MAX: poolMax }, databaseUrl, tenant.schemaName, TENANT_ENTITIES));
  const ready = dataSource.initialize();

  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register({ config, databaseUrl })] })
    .overrideGuard(ApiKeyGuard)
    .useValue(new FixedTenantGuard(new TenantContext(), tenant))
    .overrideProvider(TenantDatabase)
    .useFactory({ factory: (context: TenantContext) => new FixedTenantDatabase(context, ready), inject: [TenantContext] })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(new ApiExpressAdapter(), { bodyParser: false, logger: logLevelsFrom(config.LOG_LEVEL) });
  configureApp(app, config);
  await ready;

  const stop = async () => {
    await app.close().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  await app.listen(config.PORT, config.HOST);
  new Logger('Baseline').log(`single-tenant baseline on ${config.HOST}:${config.PORT}, schema ${tenant.schemaName}, pool ${poolMax}`);
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
