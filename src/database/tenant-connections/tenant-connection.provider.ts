import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { EnvironmentVariables } from '../../config/environment-variables';
import { tenantDataSourceOptions, tenantPoolConfig } from '../data-source-options';
import { SchemaBehindError } from '../database.errors';
import { QueryLogger } from '../query-logger';
import { DATABASE_URL, ENTITY_CLASSES, type EntityClasses } from '../database.tokens';
import { SchemaLedgerService } from '../migrations/schema-ledger.service';
import { liveDataSourceCaches, poolMetrics } from './pool-metrics';
import { SchemaAffinePool } from './schema-affine-pool';
import { sharedPoolDriver } from './shared-pool-driver';
import { TenantEntitySql } from './tenant-entity-sql';
import type { EntityStatements } from '../entity-statements';

interface Entry {
  ready: Promise<DataSource>;
  leases: number;
  evicted: boolean;
  /** Set by the first destroy, so eviction and shutdown never destroy one DataSource twice. */
  closed?: Promise<void>;
}

export interface TenantDataSourceLease {
  dataSource: DataSource;
  release(): void;
}

/**
 * One TypeORM DataSource per tenant schema, in an LRU with a maximum count and idle eviction.
 * Concurrent first requests for a schema share one initialization; an evicted DataSource is destroyed
 * once the requests still using it have released it.
 *
 * The DataSources hold entity metadata bound to their schema, not connections: they all draw from one
 * pool of TENANT_POOL_MAX connections, in which each schema prefers a home connection (SchemaAffinePool).
 * A pool per tenant made every LRU miss open and authenticate a new connection and kept up to TENANT_DATASOURCE_MAX × pool size backends; with 1,000 active tenants that
 * capped throughput near 3% of a single-tenant build (bench/README.md). Connections now stay within
 * TENANT_POOL_MAX whatever the number of tenants; DB_CONNECTION_MAX_LIFETIME_SECONDS recycles them so
 * a backend's per-schema catalog cache cannot grow without bound.
 */
@Injectable()
export class TenantConnectionProvider implements OnApplicationShutdown {
  private readonly logger = new Logger(TenantConnectionProvider.name);
  private readonly entries: LRUCache<string, Entry>;
  private readonly pool: SchemaAffinePool;
  /** Schemas the ledger has shown at this code's migration: a schema's version only goes up, so it stays so. */
  private readonly current = new Set<string>();
  /** Of current schemas, the statements of each entity used (table SQL and query), built once instead of per request. */
  private readonly ready = new LRUCache<string, Map<EntityTarget<ObjectLiteral>, EntityStatements>>({ max: READY_SCHEMAS_MAX });
  private readonly entitySql: TenantEntitySql;
  private readonly queryLogger = new QueryLogger();

  constructor(
    private readonly config: EnvironmentVariables,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    private readonly ledger: SchemaLedgerService,
    @Inject(ENTITY_CLASSES) private readonly entities: EntityClasses,
    private readonly shared: DataSource,
  ) {
    this.pool = new SchemaAffinePool(
      tenantPoolConfig(config, databaseUrl),
      (error) => this.logger.warn(`idle tenant connection failed: ${error.message}`),
      config.TENANT_POOL_MAX_PER_TENANT,
    );
    this.entries = new LRUCache<string, Entry>({
      max: config.TENANT_DATASOURCE_MAX,
      ttl: config.TENANT_IDLE_SECONDS * 1000,
      updateAgeOnGet: true,
      ttlAutopurge: true,
      dispose: (entry, _schemaName, reason) => {
        if (reason !== 'set') poolMetrics.dataSourcesEvicted.inc({ reason });
        entry.evicted = true;
        if (entry.leases === 0) this.destroy(entry);
      },
    });
    this.entitySql = new TenantEntitySql(() => this.dataSourceOptions('tenant', sharedPoolDriver(() => Promise.reject(new Error('metadata only')))));
    liveDataSourceCaches.add(this);
  }

  /** Drops the schema's DataSource from the LRU (destroyed once its in-flight requests release it). */
  evict(schemaName: string): void {
    this.current.delete(schemaName);
    this.ready.delete(schemaName);
    this.entries.delete(schemaName);
  }

  /** Forgets what the ledger said of every schema (tenant events may have been missed): each is asked again. */
  forgetLedger(): void {
    this.current.clear();
    this.ready.clear();
  }

  /**
   * Hand-written statements on a tenant entity's table, run on a connection of the shared pool itself: no
   * DataSource, no query runner. A tenant whose DataSource is not in the LRU then costs a pool checkout only.
   */
  async statements(schemaName: string, entity: EntityTarget<ObjectLiteral>): Promise<EntityStatements> {
    const known = this.readyStatements(schemaName, entity);
    if (known) return known;
    await this.checkCurrent(schemaName);
    const { table, columns } = await this.entitySql.of(schemaName, entity);
    const statements: EntityStatements = { table, columns, query: (sql, params) => this.run(schemaName, sql, params) };
    // Not kept if the schema was evicted or the ledger forgotten meanwhile: it is then checked again.
    if (this.current.has(schemaName)) {
      let byEntity = this.ready.get(schemaName);
      if (!byEntity) this.ready.set(schemaName, (byEntity = new Map()));
      byEntity.set(entity, statements);
    }
    return statements;
  }

  /** What `statements` gave before for this schema and entity, while the schema is known current; no promise. */
  readyStatements(schemaName: string, entity: EntityTarget<ObjectLiteral>): EntityStatements | undefined {
    return this.ready.get(schemaName)?.get(entity);
  }

  private async run<Row>(schemaName: string, sql: string, params: unknown[]): Promise<Row[]> {
    const client = await this.pool.connect(schemaName);
    try {
      return (await client.query(sql, params)).rows as Row[];
    } catch (error) {
      this.queryLogger.logQueryError(error as Error, sql);
      throw error;
    } finally {
      client.release();
    }
  }

  get openCount(): number {
    return this.entries.size;
  }

  async acquire(schemaName: string): Promise<TenantDataSourceLease> {
    let entry = this.entries.get(schemaName);
    if (!entry) {
      const created: Entry = { ready: this.open(schemaName), leases: 0, evicted: false };
      created.ready.catch(() => {
        if (this.entries.peek(schemaName) === created) this.entries.delete(schemaName);
      });
      this.entries.set(schemaName, created);
      entry = created;
    }
    const held = entry;
    held.leases += 1;
    let dataSource: DataSource;
    try {
      dataSource = await held.ready;
    } catch (error) {
      held.leases -= 1;
      throw error;
    }
    let released = false;
    return {
      dataSource,
      release: () => {
        if (released) return;
        released = true;
        held.leases -= 1;
        if (held.evicted && held.leases === 0) this.destroy(held);
      },
    };
  }

  /** Destroys every tenant DataSource (the shared pool stays open). */
  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((entry) => this.destroy(entry)));
  }

  async onApplicationShutdown(): Promise<void> {
    liveDataSourceCaches.delete(this);
    await this.closeAll();
    if (!this.pool.ended) await this.pool.end();
  }

  private async open(schemaName: string): Promise<DataSource> {
    await this.checkCurrent(schemaName);
    const driver = sharedPoolDriver(() => this.pool.connect(schemaName));
    const dataSource = new DataSource(this.dataSourceOptions(schemaName, driver));
    knownServer(dataSource, this.shared);
    await dataSource.initialize();
    poolMetrics.dataSourcesOpened.inc();
    return dataSource;
  }

  /** A schema behind what this code needs gets a clear 503 instead of SQL errors on missing columns. */
  private async checkCurrent(schemaName: string): Promise<void> {
    if (this.current.has(schemaName)) return;
    if (!(await this.ledger.isCurrent(schemaName))) throw new SchemaBehindError();
    this.current.add(schemaName);
  }

  private dataSourceOptions(schemaName: string, driver: unknown) {
    // `nativeDriver`: TypeORM would otherwise try to require pg-native (not installed) at every DataSource it builds.
    return { ...tenantDataSourceOptions(this.config, this.databaseUrl, schemaName, this.entities.tenant, driver), nativeDriver: NO_NATIVE_DRIVER };
  }

  private destroy(entry: Entry): Promise<void> {
    entry.closed ??= (async () => {
      try {
        const dataSource = await entry.ready;
        if (dataSource.isInitialized) await dataSource.destroy();
      } catch (error) {
        if (!(error instanceof SchemaBehindError)) this.logger.debug(`closing a tenant data source: ${String(error)}`);
      }
    })();
    return entry.closed;
  }
}

const NO_NATIVE_DRIVER = {};
/** Schemas whose statements are kept (a few small objects each); past it the least recently used are rebuilt on use. */
const READY_SCHEMAS_MAX = 10_000;

type ServerFacts = { version?: string; searchSchema?: string };

/**
 * A new DataSource asks the server its version, database and search schema (three round trips) before its first
 * query. Every tenant DataSource talks to the server the shared DataSource already asked, so they start with its
 * answers; the database comes from the URL. What is left of a cold DataSource is building its entity metadata.
 */
function knownServer(dataSource: DataSource, shared: DataSource): void {
  const from = shared.driver as unknown as ServerFacts;
  const to = dataSource.driver as unknown as ServerFacts;
  to.version ??= from.version;
  to.searchSchema ??= from.searchSchema;
}
