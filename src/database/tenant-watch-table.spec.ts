import type { DataSource } from 'typeorm';
import { JOB_LEASE_WATCH, TenantWatchTable } from './tenant-watch-table';

class Watch extends TenantWatchTable {
  constructor(shared: DataSource) {
    super(shared, JOB_LEASE_WATCH);
  }
}

/** A shared DataSource whose upserts answer with `outcome(tenantId)`: undefined for success, or an error to throw. */
function watchWith(outcome: (tenantId: string) => Error | undefined) {
  const written: Array<[string, Date]> = [];
  const query = jest.fn(async (_sql: string, [tenantId, at]: [string, Date]) => {
    const error = outcome(tenantId);
    if (error) throw error;
    written.push([tenantId, at]);
    return [];
  });
  return { watch: new Watch({ query } as unknown as DataSource), written };
}

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe('TenantWatchTable.retryLater / retryFailed', () => {
  it('writes each kept watch once, at the earliest time kept for its tenant', async () => {
    const { watch, written } = watchWith(() => undefined);
    watch.retryLater('a', at(30));
    watch.retryLater('a', at(10));
    watch.retryLater('a', at(20));
    watch.retryLater('b', at(5));
    expect(await watch.retryFailed()).toEqual([]);
    expect(written).toEqual([
      ['a', at(10)],
      ['b', at(5)],
    ]);
    expect(await watch.retryFailed()).toEqual([]);
    expect(written).toHaveLength(2);
  });

  it('keeps a watch that fails again for the next call, and drops one whose tenant is gone', async () => {
    let down = true;
    const { watch, written } = watchWith((tenantId) => (tenantId === 'purged' ? pgError('23503') : down ? pgError('08006') : undefined));
    watch.retryLater('live', at(1));
    watch.retryLater('purged', at(2));
    const errors = await watch.retryFailed();
    expect(errors.map((error) => error.message)).toEqual(['pg 08006']);
    down = false;
    expect(await watch.retryFailed()).toEqual([]);
    expect(written).toEqual([['live', at(1)]]);
    expect(await watch.retryFailed()).toEqual([]);
    expect(written).toHaveLength(1);
  });
});
