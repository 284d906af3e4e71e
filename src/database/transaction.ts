import type { DataSource, QueryRunner } from 'typeorm';

/** What `afterCommit` left to run, by the transaction of `inTransaction` it was given. */
const committed = new WeakMap<QueryRunner, Array<() => void>>();

/**
 * Runs `work` in one transaction on a dedicated connection of `dataSource`; rolls back on any error. The
 * connection goes back to the pool whatever fails, the `BEGIN` included (one that times out on a stalled
 * database would otherwise keep it checked out for good). What `afterCommit` was given runs once the commit
 * has succeeded, before the result is returned; after a rollback, never.
 */
export async function inTransaction<T>(dataSource: DataSource, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.connect();
    await queryRunner.startTransaction();
    committed.set(queryRunner, []);
    const result = await work(queryRunner);
    await queryRunner.commitTransaction();
    for (const then of committed.get(queryRunner)!) then();
    return result;
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    committed.delete(queryRunner);
    await queryRunner.release();
  }
}

/**
 * `then` once the transaction of `inTransaction` that `queryRunner` runs has committed, or at once when it runs
 * none (its statements commit as they run). It must not throw: the commit has happened.
 */
export function afterCommit(queryRunner: QueryRunner, then: () => void): void {
  const waiting = committed.get(queryRunner);
  if (waiting) waiting.push(then);
  else then();
}
