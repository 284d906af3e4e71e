import type { EntityManager } from 'typeorm';
import { DEADLOCK_DETECTED } from '../database/postgres-errors';
import { WorkerStatementsRepository } from './worker-statements.repository';

const A = '0000000a-0000-4000-8000-000000000000';
const B = '0000000b-0000-4000-8000-000000000000';
const C = '0000000c-0000-4000-8000-000000000000';

/** A manager whose `query` answers from `answers` in turn (a value, or an error to throw), recording each call. */
function fakeManager(answers: unknown[]) {
  const calls: Array<{ sql: string; params: unknown[] }> = [];
  const manager = {
    connection: {
      getMetadata: () => ({ schema: 'tenant_t', tableName: 'jobs', columns: [] }),
      driver: { escape: (name: string) => `"${name}"` },
    },
    query: async (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { manager: manager as unknown as EntityManager, calls };
}

const error = (code: string) => Object.assign(new Error(`error ${code}`), { code });

describe('WorkerStatementsRepository.complete', () => {
  it('sends the ids sorted and the results by id, and looks up only the items it did not complete', async () => {
    const { manager, calls } = fakeManager([[{ id: A, logSeq: 2 }], [{ id: C }]]);
    const rows = await new WorkerStatementsRepository(manager).complete('w', [
      { id: C, result: null },
      { id: A.toUpperCase(), result: { ok: 1 } },
      { id: B, result: null },
    ]);
    expect(calls[0].params).toEqual(['w', [A, B, C], JSON.stringify({ [A]: { ok: 1 } })]);
    expect(calls[1].params).toEqual([[B, C]]);
    expect(rows).toEqual([
      { id: C, logSeq: null, found: true },
      { id: A.toUpperCase(), logSeq: 2, found: true },
      { id: B, logSeq: null, found: false },
    ]);
  });

  it('runs the statement once more when it was a deadlock victim (rolled back whole)', async () => {
    const { manager, calls } = fakeManager([error(DEADLOCK_DETECTED), [{ id: A, logSeq: 2 }]]);
    expect(await new WorkerStatementsRepository(manager).complete('w', [{ id: A, result: null }])).toEqual([{ id: A, logSeq: 2, found: true }]);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(calls[0]);
  });

  it('lets any other error through, and a second deadlock too', async () => {
    await expect(new WorkerStatementsRepository(fakeManager([error('23505')]).manager).complete('w', [{ id: A, result: null }])).rejects.toThrow('error 23505');
    const twice = fakeManager([error(DEADLOCK_DETECTED), error(DEADLOCK_DETECTED), []]);
    await expect(new WorkerStatementsRepository(twice.manager).complete('w', [{ id: A, result: null }])).rejects.toThrow(`error ${DEADLOCK_DETECTED}`);
    expect(twice.calls).toHaveLength(2);
  });
});
