import type { DataSource, QueryRunner } from 'typeorm';
import { afterCommit, inTransaction } from './transaction';

/** A DataSource whose query runners record what happens to their transaction in `log`. */
function recordingDataSource(log: string[], options: { commitFails?: boolean } = {}): DataSource {
  const createQueryRunner = () => {
    const runner = {
      isTransactionActive: false,
      connect: async () => undefined,
      startTransaction: async () => {
        runner.isTransactionActive = true;
        log.push('begin');
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

describe('inTransaction and afterCommit', () => {
  it('runs what afterCommit was given once the commit is done, in order, before the result is returned', async () => {
    const log: string[] = [];
    const result = await inTransaction(recordingDataSource(log), async (queryRunner) => {
      afterCommit(queryRunner, () => log.push('first'));
      afterCommit(queryRunner, () => log.push('second'));
      log.push('work');
      return 'done';
    });
    log.push(`returned ${result}`);
    expect(log).toEqual(['begin', 'work', 'commit', 'first', 'second', 'release', 'returned done']);
  });

  it('never runs it when the work or the commit fails', async () => {
    for (const [options, failing] of [
      [{}, async () => Promise.reject(new Error('work failed'))],
      [{ commitFails: true }, async () => undefined],
    ] as const) {
      const log: string[] = [];
      await expect(
        inTransaction(recordingDataSource(log, options), async (queryRunner) => {
          afterCommit(queryRunner, () => log.push('after commit'));
          await failing();
        }),
      ).rejects.toThrow();
      expect(log).not.toContain('after commit');
      expect(log.at(-1)).toBe('release');
    }
  });

  it('runs it at once for a query runner outside inTransaction (its statements commit as they run)', () => {
    const log: string[] = [];
    afterCommit({} as QueryRunner, () => log.push('now'));
    expect(log).toEqual(['now']);
  });
});
