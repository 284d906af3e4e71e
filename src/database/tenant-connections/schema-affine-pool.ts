import { performance } from 'node:perf_hooks';
import { Pool, PoolClient, PoolConfig } from 'pg';
import { tenantLabel } from '../../common/metric-labels';
import { histogramObserver } from '../../common/histogram-observer';
import { livePools, poolMetrics, type PoolGauges } from './pool-metrics';

const observeWait = histogramObserver(poolMetrics.waitSeconds, {});

/** FNV-1a over the schema name: a stable, well-spread lane number. */
function laneOf(schemaName: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < schemaName.length; i++) {
    hash ^= schemaName.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

interface Waiter {
  schemaName: string;
  home: number;
  asked: number;
  resolve: (client: PoolClient) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/**
 * The tenant connection pool: `max` connections, each in a lane of its own, and every schema with a home lane.
 * A query goes to its schema's home connection when that one is free, else to the next free one (opening a
 * connection if a lane has none). When all are busy it waits in one FIFO queue and takes the first
 * connection released, wherever it is: one slow query holds up nobody else, while in a wide rotation of
 * tenants each backend sees mostly its own schemas. One schema holds at most `perSchemaMax` connections at a
 * time; its further queries wait while other tenants' go ahead, so one busy tenant cannot take the whole pool.
 *
 * Why lanes: a PostgreSQL backend builds catalog cache entries (the table, each index, statistics) the first
 * time it touches a relation, and keeps them. With schemas spread evenly over every connection, each backend
 * has to learn every tenant schema — 10 connections × 1,000 tenants = 10,000 cold starts after every deploy
 * or connection recycle, and 10 copies of every tenant's catalog in memory. With home lanes it is closer to one.
 */
export class SchemaAffinePool {
  private readonly lanes: Pool[];
  private readonly waiters: Waiter[] = [];
  /** Connections each schema holds or is being given, for the per-schema cap. */
  private readonly held = new Map<string, number>();
  private readonly timeoutMs: number;
  private readonly perSchemaMax: number;
  private ending = false;

  constructor(config: PoolConfig, onIdleError: (error: Error) => void, perSchemaMax = Infinity) {
    this.timeoutMs = config.connectionTimeoutMillis ?? 0;
    const size = Math.max(1, config.max ?? 10);
    this.perSchemaMax = Math.max(1, Math.min(perSchemaMax, size));
    // 'release' comes before the lane takes its client back, 'remove' before a lane is empty: look next tick.
    // With nobody waiting there is nothing to hand over (a later connect() looks for itself).
    const dispatch = () => this.dispatch();
    const dispatchSoon = () => {
      if (this.waiters.length > 0) process.nextTick(dispatch);
    };
    this.lanes = Array.from({ length: size }, () =>
      new Pool({ ...config, max: 1 }).on('error', onIdleError).on('release', dispatchSoon).on('remove', dispatchSoon),
    );
    livePools.add(this);
  }

  gauges(): PoolGauges {
    let busy = 0;
    let idle = 0;
    for (const lane of this.lanes) {
      busy += lane.totalCount - lane.idleCount;
      idle += lane.idleCount;
    }
    return { busy, idle, waiters: this.waiters.length };
  }

  get size(): number {
    return this.lanes.length;
  }

  get ended(): boolean {
    return this.lanes.every((lane) => lane.ended);
  }

  homeLane(schemaName: string): number {
    return laneOf(schemaName, this.lanes.length);
  }

  connect(schemaName: string): Promise<PoolClient> {
    if (this.ending) return Promise.reject(new Error('the tenant connection pool is closed'));
    const asked = performance.now();
    const home = this.homeLane(schemaName);
    const capped = !this.underCap(schemaName);
    if (capped) poolMetrics.capHits.inc(tenantLabel(schemaName));
    const lane = this.waiters.length || capped ? undefined : this.available(home);
    if (lane) return this.take(lane, schemaName, asked);
    return new Promise<PoolClient>((resolve, reject) => {
      const waiter: Waiter = { schemaName, home, asked, resolve, reject };
      if (this.timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new Error('timeout exceeded when trying to connect'));
        }, this.timeoutMs);
      }
      this.waiters.push(waiter);
      // Queued behind waiters of capped schemas, it may be servable now.
      process.nextTick(() => this.dispatch());
    });
  }

  async end(): Promise<void> {
    this.ending = true;
    livePools.delete(this);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the tenant connection pool is closed'));
    }
    await Promise.all(this.lanes.filter((lane) => !lane.ended).map((lane) => lane.end()));
  }

  /** Hands free connections to waiters, oldest first, skipping schemas at their cap, each preferring its home lane. */
  private dispatch(): void {
    for (let i = 0; i < this.waiters.length && !this.ending; ) {
      const waiter = this.waiters[i];
      if (!this.underCap(waiter.schemaName)) {
        i += 1;
        continue;
      }
      const lane = this.available(waiter.home);
      if (!lane) return; // nothing free for anyone
      this.waiters.splice(i, 1);
      clearTimeout(waiter.timer);
      this.take(lane, waiter.schemaName, waiter.asked).then(waiter.resolve, waiter.reject);
    }
  }

  private underCap(schemaName: string): boolean {
    return (this.held.get(schemaName) ?? 0) < this.perSchemaMax;
  }

  private hold(schemaName: string, delta: 1 | -1): void {
    const count = (this.held.get(schemaName) ?? 0) + delta;
    if (count > 0) this.held.set(schemaName, count);
    else this.held.delete(schemaName);
  }

  /**
   * Connects on `lane` for `schemaName`, counting the connection against the schema until it is released.
   * A failed connect leaves its lane empty without a 'remove' event, so waiters are looked at again.
   * While lent out, the connection has an 'error' listener: pg reports a backend that ends between two
   * statements (terminated, a restart) as an 'error' event, which no pool listens to on a lent connection, and
   * an 'error' event nobody hears ends the process. The statement in flight, if any, fails on its own; the
   * connection is then released with the error, so the lane replaces it.
   */
  private take(lane: Pool, schemaName: string, asked: number): Promise<PoolClient> {
    this.hold(schemaName, 1);
    return lane.connect().then(
      (client) => {
        observeWait((performance.now() - asked) / 1000);
        let lost: Error | undefined;
        const onError = (error: Error) => (lost ??= error);
        client.on('error', onError);
        const release = client.release;
        let counted = true;
        client.release = (error?: Error | boolean) => {
          if (counted) this.hold(schemaName, -1);
          counted = false;
          client.removeListener('error', onError);
          return release.call(client, error ?? lost);
        };
        return client;
      },
      (error: Error) => {
        this.hold(schemaName, -1);
        process.nextTick(() => this.dispatch());
        throw error;
      },
    );
  }

  /**
   * Home if it has an idle connection or none yet; else the first lane after it with an idle connection;
   * else the first with no connection yet (opening one); else none. `connect()` is called synchronously
   * after, so the counts read here are the ones it acts on.
   */
  private available(home: number): Pool | undefined {
    const free = (lane: Pool) => lane.waitingCount === 0 && lane.idleCount > 0;
    const empty = (lane: Pool) => lane.waitingCount === 0 && lane.totalCount === 0;
    const first = (test: (lane: Pool) => boolean) => {
      for (let step = 0; step < this.lanes.length; step++) {
        const lane = this.lanes[(home + step) % this.lanes.length];
        if (test(lane)) return lane;
      }
      return undefined;
    };
    const homeLane = this.lanes[home];
    return free(homeLane) || empty(homeLane) ? homeLane : (first(free) ?? first(empty));
  }
}
