import type { INestApplication, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Logger } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { ApiExpressAdapter } from '../../src/http/api-express-adapter';
import { EnvironmentVariables, validateEnvironment } from '../../src/config/environment-variables';
import { SharedMigrationsService } from '../../src/database/migrations/shared-migrations.service';
import { TenantsService, TenantWithKey } from '../../src/tenancy/registry/tenants.service';
import { assertOnDocument } from './openapi-response-check';
import { createTestDatabase, databaseUrl } from './test-database';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

export interface TestApp {
  app: NestExpressApplication;
  config: EnvironmentVariables;
  databaseUrl: string;
  /** The shared-schema DataSource of the app. */
  db: DataSource;
  /** A supertest agent whose every response is also checked against the committed openapi.json. */
  http(): ReturnType<typeof request>;
  createTenant(slug?: string, name?: string): Promise<TenantWithKey>;
  close(): Promise<void>;
}

let tenantCounter = 0;
export function uniqueSlug(prefix = 't'): string {
  tenantCounter += 1;
  return `${prefix}${process.pid}x${tenantCounter}x${Math.floor(Math.random() * 1e6)}`;
}

/**
 * In the `pgbouncer` jest project (jest.config.js), the same database through the run's PgBouncer
 * (test/pgbouncer-global-setup.ts); elsewhere undefined.
 */
function throughPgbouncer(directUrl: string): string | undefined {
  if (!(globalThis as { TENANTRY_THROUGH_PGBOUNCER?: boolean }).TENANTRY_THROUGH_PGBOUNCER) return undefined;
  const base = process.env.TENANTRY_TEST_PGBOUNCER_URL;
  if (!base) throw new Error('TENANTRY_TEST_PGBOUNCER_URL is not set: test/pgbouncer-global-setup.ts did not run');
  return databaseUrl(base, decodeURIComponent(new URL(directUrl).pathname.slice(1)));
}

/** Builds the real HTTP app (same modules and setup as main.ts) on a database (through PgBouncer in that project). */
export async function buildApp(
  databaseUrl: string,
  overrides: Record<string, string | undefined> = {},
  extraModules: Type[] = [],
  logger?: (config: EnvironmentVariables) => Logger,
): Promise<{ app: NestExpressApplication; config: EnvironmentVariables }> {
  const pooled = throughPgbouncer(databaseUrl);
  const config = validateEnvironment({
    ...process.env,
    DATABASE_URL: pooled ?? databaseUrl,
    // Through PgBouncer, LISTEN takes the direct connection (what DATABASE_DIRECT_URL is for).
    ...(pooled ? { DATABASE_DIRECT_URL: databaseUrl } : {}),
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    AUTH_FAILURE_LIMIT: '10000',
    LOG_LEVEL: 'error',
    ...overrides,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.register({ config, databaseUrl: config.DATABASE_URL!, logger: logger?.(config) }), ...extraModules],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(new ApiExpressAdapter(), { bodyParser: false, logger: ['error'] });
  configureApp(app, config);
  await app.init();
  await app.get(SharedMigrationsService).migrate();
  return { app, config };
}

/** A fresh database cloned from the migrated template, and the app on it. One per test file. */
export async function createTestApp(
  overrides: Record<string, string | undefined> = {},
  logger?: (config: EnvironmentVariables) => Logger,
): Promise<TestApp> {
  const database = await createTestDatabase();
  const { app, config } = await buildApp(database.url, overrides, [], logger);
  const server = app.getHttpServer();
  return {
    app,
    config,
    databaseUrl: database.url,
    db: app.get(DataSource),
    http: () => checkedAgainstDocument(request(server)),
    createTenant: (slug = uniqueSlug(), name = `Tenant ${slug}`) => app.get(TenantsService).create(name, slug),
    close: async () => {
      await closeApp(app);
      await database.drop();
    },
  };
}

const CHECKED_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Adds a check against openapi.json to each request the agent makes, run before the test's own expectations. */
export function checkedAgainstDocument(agent: ReturnType<typeof request>): ReturnType<typeof request> {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !CHECKED_METHODS.has(property) || typeof value !== 'function') return value;
      return (url: string, ...rest: unknown[]) =>
        (value as (url: string, ...rest: unknown[]) => request.Test)
          .call(target, url, ...rest)
          .expect((res) => assertOnDocument(property, url, res));
    },
  });
}

export async function closeApp(app: INestApplication): Promise<void> {
  await app.close();
}
