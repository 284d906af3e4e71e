import { Pool, PoolClient, PoolConfig } from 'pg';

/** FNV-1a over the schema name: a stable, well-spread lane number. */
function laneOf(schemaName: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < schemaName.length; i++) {
    hash ^= schemaName.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

/**
 * The tenant connection pool: `max` connections, each in a lane of its own, and every schema with a home lane.
 * A query goes to its schema's home connection when that one is free, else to the next free one, else it
 * waits where the queue is shortest (its home lane first). So one busy tenant still gets every idle
 * connection, while in a wide rotation of tenants each backend sees mostly the schemas that live on it.
 *
 * Why: a PostgreSQL backend builds catalog cache entries (the table, each index, statistics) the first time it
 * touches a relation, and keeps them. With schemas spread evenly over every connection, each backend has to
 * learn every tenant schema — 10 connections × 1,000 tenants = 10,000 cold starts after every deploy or
 * connection recycle, and 10 copies of every tenant's catalog in memory. With home lanes it is closer to one.
 */
export class SchemaAffinePool {
  private readonly lanes: Pool[];

  constructor(config: PoolConfig, onIdleError: (error: Error) => void) {
    this.lanes = Array.from({ length: Math.max(1, config.max ?? 10) }, () => new Pool({ ...config, max: 1 }).on('error', onIdleError));
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
    return this.pick(this.homeLane(schemaName)).connect();
  }

  async end(): Promise<void> {
    await Promise.all(this.lanes.filter((lane) => !lane.ended).map((lane) => lane.end()));
  }

  /**
   * Home if it has an idle connection or none yet; else the first lane after it with an idle connection;
   * else the first with no connection yet (opening one); else the shortest queue, home on a tie.
   * `connect()` is called synchronously after, so the counts read here are the ones it acts on.
   */
  private pick(home: number): Pool {
    const ring = this.lanes.map((_, step) => this.lanes[(home + step) % this.lanes.length]);
    const free = (lane: Pool) => lane.waitingCount === 0 && lane.idleCount > 0;
    const empty = (lane: Pool) => lane.waitingCount === 0 && lane.totalCount === 0;
    if (free(ring[0]) || empty(ring[0])) return ring[0];
    return ring.find(free) ?? ring.find(empty) ?? ring.reduce((best, lane) => (lane.waitingCount < best.waitingCount ? lane : best));
  }
}
