import type { RunCheck } from './job-ledger';
import type { LatencyRun, QueueRun } from './queue-run';
import { fixed, markdownTable, percentile } from './stats';

export interface RoundPair {
  tenantry: QueueRun & { serverCpuMsPerJob: number };
  pgBoss: QueueRun;
}

export interface JobsReport {
  oneTenant: RoundPair[];
  manyTenants: RoundPair[];
  latencies: { tenantry: LatencyRun; pgBoss: LatencyRun };
  checks: Array<{ name: string; check: RunCheck }>;
  tenantCount: number;
}

/** Jobs over the summed time of every round: the rate of the whole run, rounds weighted by their jobs. */
function rate(runs: QueueRun[]): number {
  return runs.reduce((sum, r) => sum + r.jobs, 0) / runs.reduce((sum, r) => sum + r.seconds, 0);
}

function summary(pairs: RoundPair[]) {
  const tenantry = rate(pairs.map((p) => p.tenantry));
  const pgBoss = rate(pairs.map((p) => p.pgBoss));
  const perRound = pairs.map((p) => p.tenantry.jobsPerSecond / p.pgBoss.jobsPerSecond);
  const cpu = pairs.reduce((sum, p) => sum + p.tenantry.serverCpuMsPerJob * p.tenantry.jobs, 0) / pairs.reduce((sum, p) => sum + p.tenantry.jobs, 0);
  return { tenantry, pgBoss, ratio: tenantry / pgBoss, min: Math.min(...perRound), max: Math.max(...perRound), cpu };
}

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
    ['1 tenant', jobsPerSecond(one.tenantry), jobsPerSecond(one.pgBoss), `${fixed(one.ratio, 2)}×${range(one)}`, `${fixed(one.cpu, 3)} ms`, `≥ 1.00×: ${verdict(one.ratio >= 1)}`],
    [
      `${report.tenantCount.toLocaleString('en-US')} tenants`,
      jobsPerSecond(many.tenantry),
      jobsPerSecond(many.pgBoss),
      `${fixed(many.ratio, 2)}×${range(many)}`,
      `${fixed(many.cpu, 3)} ms`,
      '— (pg-boss: one queue, tenant as its `group`)',
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
    markdownTable(['jobs created → done', 'Tenantry jobs/s', 'pg-boss jobs/s', 'ratio', 'Tenantry server CPU/job', 'target'], rows),
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
