import type { PoolClient } from 'pg';

type ConnectCallback = (error: Error | undefined, client: PoolClient | undefined, release: (error?: Error) => void) => void;

/**
 * A stand-in for the `pg` module, given to a tenant DataSource through TypeORM's `driver` option, whose
 * `Pool` takes its connections from `connect` (the SchemaAffinePool every tenant DataSource shares, asked
 * for this DataSource's schema). TypeORM only ever calls `connect`, `on` and `end` on it. Statements stay
 * schema-qualified by each DataSource's entity metadata (no search_path), so a pooled connection can serve
 * any tenant; ending one DataSource leaves the shared pool open.
 */
export function sharedPoolDriver(connect: () => Promise<PoolClient>): { Pool: new (options: unknown) => unknown } {
  class SharedPoolView {
    connect(callback?: ConnectCallback): Promise<PoolClient> | void {
      if (!callback) return connect();
      connect().then(
        (client) => callback(undefined, client, (error) => client.release(error)),
        (error: Error) => callback(error, undefined, () => undefined),
      );
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
