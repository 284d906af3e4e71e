import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Runs `work` in one transaction on a dedicated connection of `dataSource`; rolls back on any error. The
 * connection goes back to the pool whatever fails, the `BEGIN` included (one that times out on a stalled
 * database would otherwise keep it checked out for good).
 */
export async function inTransaction<T>(dataSource: DataSource, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.connect();
    await queryRunner.startTransaction();
    const result = await work(queryRunner);
    await queryRunner.commitTransaction();
    return result;
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await queryRunner.release();
  }
}
