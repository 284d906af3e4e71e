import { Counter, Gauge, Histogram } from 'prom-client';

/** What a live pool or DataSource LRU reports at scrape time; every live one is summed. */
export interface PoolGauges {
  busy: number;
  idle: number;
  waiters: number;
}

export const livePools = new Set<{ gauges(): PoolGauges }>();
export const liveDataSourceCaches = new Set<{ readonly openCount: number }>();

const sum = (pick: (gauges: PoolGauges) => number) => [...livePools].reduce((total, pool) => total + pick(pool.gauges()), 0);

/** The tenant connection pool and the tenant DataSource LRU, in Prometheus terms (no query is run to scrape them). */
export const poolMetrics = {
  connections: new Gauge({
    name: 'tenantry_tenant_pool_connections',
    help: 'Connections of the tenant pool, by state (busy: lent to a query or transaction)',
    labelNames: ['state'],
    collect() {
      this.set({ state: 'busy' }, sum((g) => g.busy));
      this.set({ state: 'idle' }, sum((g) => g.idle));
    },
  }),
  waiters: new Gauge({
    name: 'tenantry_tenant_pool_waiters',
    help: 'Queries waiting for a tenant pool connection',
    collect() {
      this.set(sum((g) => g.waiters));
    },
  }),
  waitSeconds: new Histogram({
    name: 'tenantry_tenant_pool_wait_seconds',
    help: 'Time from asking for a tenant pool connection to getting one',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
  capHits: new Counter({
    name: 'tenantry_tenant_pool_cap_hits_total',
    help: 'Connection requests that waited because their schema held TENANT_POOL_MAX_PER_TENANT connections',
    labelNames: ['tenant'],
  }),
  dataSourcesOpen: new Gauge({
    name: 'tenantry_tenant_datasources_open',
    help: 'Tenant DataSources in the LRU',
    collect() {
      this.set([...liveDataSourceCaches].reduce((total, cache) => total + cache.openCount, 0));
    },
  }),
  dataSourcesOpened: new Counter({ name: 'tenantry_tenant_datasources_opened_total', help: 'Tenant DataSources initialized' }),
  dataSourcesEvicted: new Counter({
    name: 'tenantry_tenant_datasources_evicted_total',
    help: 'Tenant DataSources dropped from the LRU, by reason (evict: over TENANT_DATASOURCE_MAX, expire: idle, delete: tenant change or shutdown)',
    labelNames: ['reason'],
  }),
};
