import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { PoolClient } from 'pg';
import { finished, type Readable, type Writable } from 'node:stream';
import type { QueryRunner } from 'typeorm';

/** The pg client under a connected TypeORM query runner: COPY streams need the driver's own connection. */
function clientOf(queryRunner: QueryRunner): PoolClient {
  const client = (queryRunner as unknown as { databaseConnection?: PoolClient }).databaseConnection;
  if (!client) throw new Error('the query runner is not connected');
  return client;
}

/**
 * A COPY streams a whole table, so it is bounded by the table's size, not by DB_STATEMENT_TIMEOUT_MS (pg's
 * `query_timeout`, which a query object's own `query_timeout` overrides; 0 would mean "the pool's"). The longest
 * timer Node allows: about 24 days.
 */
const COPY_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * pg clears a query's `query_timeout` timer in the callback it wraps around the query's own, and a
 * `COPY … TO` stream never calls its callback: without this, every export would leave a ~24-day timer holding
 * the stream (memory, and a process that cannot exit). Called once the stream is done, however it ends.
 */
function clearTimerWhenDone<T extends Readable | Writable>(stream: T): T {
  finished(stream, () => (stream as unknown as { callback?: () => void }).callback?.());
  return stream;
}

/** `COPY … TO STDOUT` on the query runner's connection (inside its transaction). */
export function copyOut(queryRunner: QueryRunner, sql: string): Readable & { rowCount: number } {
  return clearTimerWhenDone(clientOf(queryRunner).query(Object.assign(copyTo(sql), { query_timeout: COPY_TIMEOUT_MS })));
}

/** `COPY … FROM STDIN` on the query runner's connection; emits `finish` once PostgreSQL has taken every row. */
export function copyIn(queryRunner: QueryRunner, sql: string): Writable & { rowCount: number } {
  return clearTimerWhenDone(clientOf(queryRunner).query(Object.assign(copyFrom(sql), { query_timeout: COPY_TIMEOUT_MS })));
}

/**
 * Gives the connection back to the pool, or (with an error) closes it: a connection left in the middle of a
 * COPY cannot serve another query.
 */
export async function releaseConnection(queryRunner: QueryRunner, error?: Error): Promise<void> {
  const runner = queryRunner as unknown as { releasePostgresConnection?: (err?: Error) => Promise<void> };
  if (error && runner.releasePostgresConnection) return runner.releasePostgresConnection(error);
  return queryRunner.release();
}
