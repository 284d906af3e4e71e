import type { EntityManager } from 'typeorm';
import { TenantConnectionProvider } from '../../src/database/tenant-connections/tenant-connection.provider';
import { WorkerStatementsRepository } from '../../src/jobs/worker-statements.repository';
import { tenantWithTarget, type TenantClient } from '../utils/domain-fixtures';
import type { TestApp } from '../utils/test-app';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * The claim's plan on the queue PostgreSQL misjudges most: statistics taken while the queue was empty, then
 * thousands of jobs queued. Planned on its own, the claim would read every queued job and sort them all (the
 * `LIMIT` cannot bound a sort under `FOR UPDATE`); the claim transaction plans it by the queue index instead.
 */
describe('the claim plan', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    ({ t, a, targetId } = await tenantWithTarget());
    const queue = async (batches: number) => {
      for (let batch = 0; batch < batches; batch++) {
        const jobs = Array.from({ length: 1000 }, (_, i) => ({ targetId, type: `plan-${i % 4}`, priority: i % 3 }));
        await a.post('/jobs/batch', { jobs }).expect(201);
      }
    };
    // Statistics from a table of finished jobs and an empty queue: then 3,000 jobs are queued.
    await queue(3);
    await a.sql(`UPDATE $schema."jobs" SET "status" = 'cancelled', "finished_at" = now()`);
    await a.sql('ANALYZE $schema."jobs"');
    await queue(3);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A manager whose transactions explain each claim statement (then run it) and read the settings it ran under. */
  function explaining(manager: EntityManager, seen: { plans: PlanNode[]; settings: Array<Record<string, string | null>> }): EntityManager {
    const recording = (tx: EntityManager) =>
      new Proxy(tx, {
        get(target, property, receiver) {
          if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
          return async (sql: string, parameters?: unknown[]) => {
            if (sql.trimStart().startsWith('WITH')) {
              const [{ 'QUERY PLAN': plan }] = await target.query<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>>(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
              seen.plans.push(plan[0].Plan);
              seen.settings.push(
                (await target.query<Array<Record<string, string | null>>>(
                  `SELECT current_setting('enable_sort') AS "enableSort", current_setting('citus.propagate_set_commands', true) AS "propagate"`,
                ))[0],
              );
            }
            return target.query(sql, parameters);
          };
        },
      });
    return new Proxy(manager, {
      get(target, property, receiver) {
        if (property !== 'transaction') return Reflect.get(target, property, receiver) as unknown;
        return (work: (tx: EntityManager) => Promise<unknown>) => target.transaction((tx) => work(recording(tx)));
      },
    });
  }

  it('reads the first jobs of the queue index, with no sort, and its settings reach a Citus worker too', async () => {
    const lease = await t.app.get(TenantConnectionProvider).acquire(a.schema);
    try {
      const seen = { plans: [] as PlanNode[], settings: [] as Array<Record<string, string | null>> };
      const repository = new WorkerStatementsRepository(explaining(lease.dataSource.manager, seen));
      const { jobs, leaseExpired } = await repository.claim({ workerId: 'w', leaseSeconds: 60, limit: 10 });

      expect(leaseExpired).toBe(false);
      expect(jobs).toHaveLength(10);
      expect(jobs.every((job) => job.priority === 2)).toBe(true);
      expect(seen.plans).toHaveLength(1);
      const nodes = nodesOf(seen.plans[0]);
      expect(nodes.filter((node) => node['Node Type'] === 'Sort')).toEqual([]);
      expect(nodes.some((node) => node['Node Type'] === 'Index Scan' && node['Index Name'] === 'jobs_queued_idx')).toBe(true);
      // SET LOCAL only lasts the transaction (PgBouncer), and Citus sends it on to the worker holding the schema.
      expect(seen.settings).toEqual([{ enableSort: 'off', propagate: 'local' }]);
      expect(await a.count('jobs')).toBe(6000);
      expect((await a.sql<{ n: string }>(`SELECT count(*) AS n FROM $schema."jobs" WHERE "status" = 'running'`))[0].n).toBe('10');
    } finally {
      lease.release();
    }
  });
});
