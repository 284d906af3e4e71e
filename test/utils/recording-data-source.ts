import type { DataSource, QueryRunner } from 'typeorm';

/**
 * A DataSource for `inTransaction` whose query runners write what happens to them in `log`: `begin`, each
 * statement's SQL, `commit` (or a failing commit with `commitFails`), `rollback`, `release`.
 */
export function recordingDataSource(log: string[], options: { commitFails?: boolean } = {}): DataSource {
  const createQueryRunner = () => {
    const runner = {
      isTransactionActive: false,
      connect: async () => undefined,
      startTransaction: async () => {
        runner.isTransactionActive = true;
        log.push('begin');
      },
      query: async (sql: string) => {
        log.push(sql);
        return [];
      },
      commitTransaction: async () => {
        if (options.commitFails) throw new Error('commit failed');
        runner.isTransactionActive = false;
        log.push('commit');
      },
      rollbackTransaction: async () => {
        runner.isTransactionActive = false;
        log.push('rollback');
      },
      release: async () => void log.push('release'),
    };
    return runner as unknown as QueryRunner;
  };
  return { createQueryRunner } as unknown as DataSource;
}
