import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Pool } from 'pg';
import { SharedMigrationsService } from '../src/database/migrations/shared-migrations.service';
import { quoteSchema } from '../src/database/schema-name';
import { mapConcurrent } from '../src/common/concurrency';
import { ApiKeysService } from '../src/tenancy/keys/api-keys.service';
import { TenantsService } from '../src/tenancy/registry/tenants.service';
import { AppProcess, startAppProcess } from './lib/app-process';
import { parseArgs } from './lib/args';
import { openBenchDatabase } from './lib/bench-database';
import { relaunchFromSnapshot } from './lib/dist-snapshot';
import { JsonClient } from './lib/json-client';
import type { RunCheck } from './lib/job-ledger';
import { MeasuredRun, renderJobsReport, RoundPair } from './lib/jobs-report';
import { PostgresCpu } from './lib/postgres-cpu';
import { machineLine } from './lib/machine';
import { PgBossQueue } from './lib/pgboss-queue';
import type { LatencyRun, QueueRun, ThroughputOptions } from './lib/queue-run';
import { fixed } from './lib/stats';
import { seedTargets } from './lib/seed-targets';
import { createTenants } from './lib/tenant-factory';
import { QueueTenant, TenantryQueue } from './lib/tenantry-queue';
import { openToolsContext } from './lib/tools-context';

const FLAGS = {
  jobs: 'number',
  workers: 'number',
  producers: 'number',
  rounds: 'number',
  batch: 'number',
  'claim-limit': 'number',
  'wait-seconds': 'number',
  tenants: 'number',
  'latency-samples': 'number',
  'latency-interval': 'number',
  'pgboss-tenant': 'string',
  'cpu-prof': 'string',
  'tenant-sql': 'string',
  out: 'string',
  help: 'boolean',
} as const;
const USAGE = `npm run bench:jobs -- ${Object.entries(FLAGS).map(([name, kind]) => (kind === 'boolean' ? `[--${name}]` : `[--${name} <${kind}>]`)).join(' ')}`;
const log = (line: string) => process.stderr.write(`[bench:jobs] ${line}\n`);
/** The server's settings besides the environment's: the auth cache outlives the run (see bench/README.md). */
const APP_SETTINGS = { MIGRATIONS_RUN_ON_START: 'false', AUTH_CACHE_TTL_SECONDS: '3600' };

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) return void console.log(USAGE);
  const n = (name: keyof typeof FLAGS, fallback: number) => Number(args[name] ?? fallback);
  const rounds = n('rounds', 2);
  const tenantCount = n('tenants', 1000);
  const base: Omit<ThroughputOptions, 'type' | 'jobs'> = {
    workers: n('workers', 10),
    producers: n('producers', 2),
    batchSize: Math.min(n('batch', 1000), 1000),
    claimLimit: Math.min(n('claim-limit', 100), 100),
    waitSeconds: Math.min(n('wait-seconds', 5), 30),
  };
  const jobsPerRound = Math.ceil(n('jobs', 50_000) / rounds);
  const latency = { samples: n('latency-samples', 200), intervalMs: n('latency-interval', 50), ...base };
  const tenantIn = String(args['pgboss-tenant'] ?? 'group');
  if (tenantIn !== 'data' && tenantIn !== 'group') throw new Error('--pgboss-tenant must be data or group');
  const machine = machineLine();
  const started = Date.now();

  const database = await openBenchDatabase('jobs', log);
  let tools: INestApplicationContext | undefined;
  let app: AppProcess | undefined;
  let boss: PgBossQueue | undefined;
  try {
    tools = await openToolsContext(database.url);
    await tools.get(SharedMigrationsService).migrate();
    log(`creating ${tenantCount} tenants…`);
    const created = await createTenants(tools.get(TenantsService), tenantCount, { prefix: 'jobs', concurrency: 4, onProgress: (d) => log(`  ${d}/${tenantCount}`) });
    const workerKey = await tools.get(ApiKeysService).create(created.tenants[0].id, { name: 'bench worker', scopes: ['worker'] });
    await tools.close();
    tools = undefined;
    const targets = await seedTargets(database.url, created.tenants, 1);
    if (args['tenant-sql']) await applyTenantSql(database.url, created.tenants, String(args['tenant-sql']));
    // Every tenant's creation key (all scopes) writes and works; tenant 0's workers use a worker-only key.
    const tenants: QueueTenant[] = created.tenants.map((t, i) => ({ schemaName: t.schemaName, writeKey: t.apiKey, workerKey: t.apiKey, targetId: targets[i] }));
    const one: QueueTenant = { ...tenants[0], workerKey: workerKey.apiKey };

    const nodeArgs = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', String(args['cpu-prof'])] : [];
    app = await startAppProcess(path.resolve(__dirname, '../src/main.js'), { DATABASE_URL: database.url, ...APP_SETTINGS }, nodeArgs);
    const tenantry = new TenantryQueue(app.url, database.url);
    boss = await PgBossQueue.start(database.url, log);
    const checks: Array<{ name: string; check: RunCheck }> = [];
    const keep = <T extends { check: RunCheck }>(name: string, result: T): T => {
      checks.push({ name, check: result.check });
      if (result.check.lost || result.check.duplicated) log(`${name}: ${JSON.stringify(result.check)}`);
      return result;
    };

    log('warm-up: 1,000 jobs each…');
    keep('warm-up tenantry', await tenantry.throughput([one], { ...base, jobs: 1000, type: 'warmup' }));
    keep('warm-up pg-boss', await boss.throughput({ ...base, jobs: 1000, type: 'warmup' }));

    const postgres = await PostgresCpu.open(database.url);
    /** The run with the CPU its parts used per job: app server, PostgreSQL, this process. */
    const measured = async (name: string, run: () => Promise<QueueRun>): Promise<MeasuredRun> => {
      const before = { server: app!.cpuMs(), postgres: postgres?.ms() ?? NaN, bench: process.cpuUsage() };
      const result = keep(name, await run());
      const bench = process.cpuUsage(before.bench);
      const per = (ms: number) => ms / result.jobs;
      const cpu = { server: per(app!.cpuMs() - before.server), postgres: per((postgres?.ms() ?? NaN) - before.postgres), bench: per((bench.user + bench.system) / 1000) };
      log(`${name}: ${fixed(result.jobsPerSecond, 0)} jobs/s; CPU/job app ${fixed(cpu.server * 1000, 0)} µs, PG ${fixed(cpu.postgres * 1000, 0)} µs, bench ${fixed(cpu.bench * 1000, 0)} µs; ${JSON.stringify(result.calls)}`);
      return { ...result, cpu };
    };

    const pairs = async (label: string, many: boolean): Promise<RoundPair[]> => {
      const out: RoundPair[] = [];
      for (let round = 1; round <= rounds; round++) {
        const type = `${many ? 'many' : 'one'}-r${round}`;
        const options = { ...base, jobs: jobsPerRound, type };
        const runTenantry = () => measured(`${label} r${round} tenantry`, () => tenantry.throughput(many ? tenants : [one], options));
        const runBoss = () => measured(`${label} r${round} pg-boss`, () => boss!.throughput(options, many ? tenants.length : 1, tenantIn));
        // Alternating order (T B, B T, …): load from elsewhere lands on both.
        let t: MeasuredRun;
        let b: MeasuredRun;
        if (round % 2) [t, b] = [await runTenantry(), await runBoss()];
        else [b, t] = [await runBoss(), await runTenantry()];
        out.push({ tenantry: t, pgBoss: b });
      }
      return out;
    };

    log(`1 tenant: ${rounds} round(s) of ${jobsPerRound.toLocaleString('en-US')} jobs each…`);
    const oneTenant = await pairs('1 tenant', false);

    log(`enqueue→start latency: ${latency.samples} jobs, one every ${latency.intervalMs} ms, ${latency.workers} idle workers…`);
    const latencies: { tenantry: LatencyRun; pgBoss: LatencyRun } = {
      tenantry: keep('latency tenantry', await tenantry.latency(one, { ...latency, type: 'latency' })),
      pgBoss: keep('latency pg-boss', await boss.latency({ ...latency, type: 'latency' })),
    };

    log(`priming ${tenants.length} tenant keys (one claim each)…`);
    const primer = new JsonClient(app.url, 4);
    await mapConcurrent(tenants, 4, (t) => primer.post('/jobs/claim', t.workerKey, { workerId: 'prime', limit: 1 }, 200));
    primer.close();
    log(`${tenants.length} tenants: ${rounds} round(s) of ${jobsPerRound.toLocaleString('en-US')} jobs each…`);
    const manyTenants = await pairs(`${tenants.length} tenants`, true);

    const settings =
      `${base.workers} worker loops, ${base.producers} producers, batches of ${base.batchSize}, claims of ${base.claimLimit}, ` +
      `idle long poll ${base.waitSeconds} s; ${rounds} round(s) of ${jobsPerRound.toLocaleString('en-US')} jobs per system and scenario`;
    console.log(`\n${machine}; ${database.description}\n${settings}\n`);
    console.log(renderJobsReport({ oneTenant, manyTenants, latencies, checks, tenantCount: tenants.length, tenantIn }));
    log(`whole run: ${fixed((Date.now() - started) / 1000, 0)} s`);
    if (args.out) writeFileSync(String(args.out), JSON.stringify({ machine, settings, oneTenant, manyTenants, latencies, checks }, null, 1));
  } finally {
    await boss?.stop().catch(() => undefined);
    await app?.stop();
    await tools?.close().catch(() => undefined);
    await database.close();
  }
}

/**
 * `--tenant-sql`: statements run in every tenant schema of the run before it starts (`$S` stands for the quoted
 * schema), for what-if runs of the data model, e.g. without an index. The bench's own input, never a request's.
 */
async function applyTenantSql(databaseUrl: string, tenants: Array<{ schemaName: string }>, sql: string): Promise<void> {
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  try {
    await mapConcurrent(tenants, 4, (t) => pool.query(sql.replaceAll('$S', quoteSchema(t.schemaName))));
    log(`--tenant-sql applied in ${tenants.length} tenant schemas`);
  } finally {
    await pool.end();
  }
}

if (!relaunchFromSnapshot(__filename)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
