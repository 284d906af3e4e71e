import type { PoolConfig } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { EnvironmentVariables } from '../config/environment-variables';
import { QueryLogger } from './query-logger';
import { StatementTimeoutClient } from './statement-timeout-client';
import { PG_TYPES } from './timestamptz-parser';

export const SHARED_SCHEMA = 'shared';

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/**
 * Pool settings only: no SET, no session state, and no start-up parameter PgBouncer refuses (its stock
 * settings pass `application_name` and `client_encoding`, and answer "unsupported startup parameter" to
 * `statement_timeout` or `options`). So the statement bound is pg's client-side `query_timeout`: the app stops
 * waiting and answers 503, and StatementTimeoutClient has the server cancel the statement. The role's
 * `statement_timeout` can bound the server side for every client (docs/scaling.md).
 */
export function poolConfig(config: EnvironmentVariables, url: string, max: number, applicationName: string): PoolConfig {
  return {
    connectionString: url,
    max,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 5_000,
    maxLifetimeSeconds: config.DB_CONNECTION_MAX_LIFETIME_SECONDS,
    query_timeout: config.DB_STATEMENT_TIMEOUT_MS || undefined,
    Client: StatementTimeoutClient,
    application_name: applicationName,
    types: PG_TYPES,
  };
}

function baseOptions(config: EnvironmentVariables, url: string, poolMax: number, applicationName: string): PostgresOptions {
  const { connectionString: _url, ...extra } = poolConfig(config, url, poolMax, applicationName);
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    // Never TypeORM's own loggers: they print the parameters of a failed query (key hashes, tenant data).
    logger: new QueryLogger(),
    poolSize: poolMax,
    extra,
  };
}

/** The registry's data source: the `shared` schema only. The server, the CLI and the tests all build it here. */
export function sharedDataSourceOptions(config: EnvironmentVariables, url: string, entities: Function[]): PostgresOptions {
  return {
    ...baseOptions(config, url, config.SHARED_POOL_MAX, `${config.INSTANCE_NAME}:shared`),
    schema: SHARED_SCHEMA,
    entities,
  };
}

export function tenantPoolConfig(config: EnvironmentVariables, url: string): PoolConfig {
  return poolConfig(config, url, config.TENANT_POOL_MAX, `${config.INSTANCE_NAME}:tenant`);
}

/**
 * One tenant's data source: every entity bound to that schema, so generated SQL is schema-qualified.
 * `driver` lets the caller hand in the connection pool (see TenantConnectionProvider); TypeORM's own pg is the default.
 */
export function tenantDataSourceOptions(
  config: EnvironmentVariables,
  url: string,
  schemaName: string,
  entities: Function[],
  driver?: unknown,
): PostgresOptions {
  return {
    ...baseOptions(config, url, config.TENANT_POOL_MAX, `${config.INSTANCE_NAME}:tenant`),
    schema: schemaName,
    entities,
    // Extensions are the migrations' business; TypeORM would otherwise inspect the metadata for them at every start.
    installExtensions: false,
    ...(driver ? { driver } : {}),
  };
}
