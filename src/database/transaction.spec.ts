import type { QueryRunner } from 'typeorm';
import { recordingDataSource } from '../../test/utils/recording-data-source';
import { afterCommit, inTransaction } from './transaction';

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
