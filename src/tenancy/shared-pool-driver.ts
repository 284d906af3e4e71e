import type { Pool, PoolClient } from 'pg';

type ConnectCallback = (error: Error | undefined, client: PoolClient | undefined, release: (error?: Error) => void) => void;

/**
 * A stand-in for the `pg` module, given to TypeORM through its `driver` option, whose `Pool` is a view of
 * one pool that every tenant DataSource shares. TypeORM only ever calls `connect`, `on` and `end` on it.
 * Statements stay schema-qualified by each DataSource's entity metadata (no search_path), so a pooled
 * connection can serve any tenant; ending one DataSource leaves the shared pool open.
 */
export function sharedPoolDriver(pool: Pool): { Pool: new (options: unknown) => unknown } {
  class SharedPoolView {
    connect(callback?: ConnectCallback): Promise<PoolClient> | void {
      if (!callback) return pool.connect();
      pool.connect((error, client, release) => callback(error ?? undefined, client, release));
    }

    // Pool errors are handled once, on the shared pool itself.
    on(): this {
      return this;
    }

    end(callback?: (error?: Error) => void): Promise<void> {
      callback?.();
      return Promise.resolve();
    }
  }
  return { Pool: SharedPoolView };
}
