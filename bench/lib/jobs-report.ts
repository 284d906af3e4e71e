import type { RunCheck } from './job-ledger';
import type { LatencyRun, QueueRun } from './queue-run';
import { fixed, markdownTable, percentile } from './stats';

/** CPU per job moved, in ms: the app server (Tenantry only), PostgreSQL, and the benchmark process (clients; pg-boss itself). */
export interface CpuPerJob {
  server: number;
  postgres: number;
  bench: number;
}

export type MeasuredRun = QueueRun & { cpu: CpuPerJob };

export interface RoundPair {
  tenantry: MeasuredRun;
  pgBoss: MeasuredRun;
}

export interface JobsReport {
  oneTenant: RoundPair[];
  manyTenants: RoundPair[];
  latencies: { tenantry: LatencyRun; pgBoss: LatencyRun };
  checks: Array<{ name: string; check: RunCheck }>;
  tenantCount: number;
  /** Where pg-boss's jobs carry their tenant in the many-tenant rows. */
  tenantIn: 'data' | 'group';
}

/** Jobs over the summed time of every round: the rate of the whole run, rounds weighted by their jobs. */
function rate(runs: QueueRun[]): number {
  return runs.reduce((sum, r) => sum + r.jobs, 0) / runs.reduce((sum, r) => sum + r.seconds, 0);
}

/** CPU per job over rounds, weighted by their jobs. */
function cpuOf(runs: MeasuredRun[]): CpuPerJob {
  const jobs = runs.reduce((sum, r) => sum + r.jobs, 0);
  const of = (pick: (c: CpuPerJob) => number) => runs.reduce((sum, r) => sum + pick(r.cpu) * r.jobs, 0) / jobs;
  return { server: of((c) => c.server), postgres: of((c) => c.postgres), bench: of((c) => c.bench) };
}

function summary(pairs: RoundPair[]) {
  const tenantry = rate(pairs.map((p) => p.tenantry));
  const pgBoss = rate(pairs.map((p) => p.pgBoss));
  const perRound = pairs.map((p) => p.tenantry.jobsPerSecond / p.pgBoss.jobsPerSecond);
  const cpu = { tenantry: cpuOf(pairs.map((p) => p.tenantry)), pgBoss: cpuOf(pairs.map((p) => p.pgBoss)) };
  return { tenantry, pgBoss, ratio: tenantry / pgBoss, min: Math.min(...perRound), max: Math.max(...perRound), cpu };
}

const cpuText = (c: CpuPerJob, server: boolean) =>
  `${server ? `${fixed(c.server * 1000, 0)} + ` : ''}${fixed(c.postgres * 1000, 0)} + ${fixed(c.bench * 1000, 0)} µs`;

const jobsPerSecond = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (samples: number[], p: number) => fixed(percentile(samples.filter(Number.isFinite), p));

/** The result table, then the plain lines a script reads (`jobs/s: …`, `enqueue→start …`, `lost …, duplicated …`). */
export function renderJobsReport(report: JobsReport): string {
  const one = summary(report.oneTenant);
  const many = summary(report.manyTenants);
  const { tenantry: tl, pgBoss: bl } = report.latencies;
  const range = (s: ReturnType<typeof summary>) => (report.oneTenant.length > 1 ? ` (rounds ${fixed(s.min, 2)}–${fixed(s.max, 2)}×)` : '');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const rows = [
    [
      '1 tenant',
      jobsPerSecond(one.tenantry),
      jobsPerSecond(one.pgBoss),
      `${fixed(one.ratio, 2)}×${range(one)}`,
      cpuText(one.cpu.tenantry, true),
      cpuText(one.cpu.pgBoss, false),
      `≥ 1.00×: ${verdict(one.ratio >= 1)}`,
    ],
    [
      `${report.tenantCount.toLocaleString('en-US')} tenants`,
      jobsPerSecond(many.tenantry),
      jobsPerSecond(many.pgBoss),
      `${fixed(many.ratio, 2)}×${range(many)}`,
      cpuText(many.cpu.tenantry, true),
      cpuText(many.cpu.pgBoss, false),
      `— (pg-boss: one queue, tenant in ${report.tenantIn === 'group' ? 'its `group`' : 'the job data'})`,
    ],
  ];
  const lost = report.checks.reduce((sum, c) => sum + c.check.lost, 0);
  const duplicated = report.checks.reduce((sum, c) => sum + c.check.duplicated, 0);
  const tp50 = percentile(tl.samplesMs, 50);
  const latencyRows = [
    ['Tenantry (long-poll claim)', `${ms(tl.samplesMs, 50)} ms`, `${ms(tl.samplesMs, 99)} ms`, `${fixed(Math.max(...tl.samplesMs))} ms`, `p50 ≤ 50 ms: ${verdict(tp50 <= 50)}`],
    ['pg-boss (LISTEN/NOTIFY)', `${ms(bl.samplesMs, 50)} ms`, `${ms(bl.samplesMs, 99)} ms`, `${fixed(Math.max(...bl.samplesMs))} ms`, '—'],
  ];
  const checkRows = report.checks.map(({ name, check }) => [
    name,
    `${check.client.lost} / ${check.client.duplicated}`,
    `${check.database.lost} / ${check.database.duplicated}`,
  ]);
  return [
    markdownTable(['jobs created → done', 'Tenantry jobs/s', 'pg-boss jobs/s', 'ratio', 'Tenantry CPU/job (app + PG + bench)', 'pg-boss CPU/job (PG + bench)', 'target'], rows),
    '',
    markdownTable([`enqueue→start, ${tl.samplesMs.length} jobs one at a time`, 'p50', 'p99', 'max', 'target'], latencyRows),
    '',
    markdownTable(['run', 'client lost / duplicated', 'database lost / duplicated'], checkRows),
    '',
    `jobs/s: tenantry ${Math.round(one.tenantry)}, pg-boss ${Math.round(one.pgBoss)}, ratio ${fixed(one.ratio, 2)}× pg-boss`,
    `jobs/s ${report.tenantCount} tenants: tenantry ${Math.round(many.tenantry)}, pg-boss ${Math.round(many.pgBoss)}, ratio ${fixed(many.ratio, 2)}× pg-boss`,
    `enqueue→start p50: tenantry ${ms(tl.samplesMs, 50)} ms, pg-boss ${ms(bl.samplesMs, 50)} ms`,
    `enqueue→start p99: tenantry ${ms(tl.samplesMs, 99)} ms, pg-boss ${ms(bl.samplesMs, 99)} ms`,
    `lost ${lost}, duplicated ${duplicated}`,
  ].join('\n');
}
