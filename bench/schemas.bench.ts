import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '../src/config/environment-variables';
import { LATEST_TENANT_VERSION, TENANT_STEPS } from '../src/database/migrations/migration-sets';
import { SharedMigrationsService } from '../src/database/migrations/shared-migrations.service';
import { TenantMigrationsService } from '../src/database/migrations/tenant-migrations.service';
import { generateApiKey } from '../src/tenancy/auth/api-key';
import { hashApiKey } from '../src/tenancy/auth/api-key-hasher';
import { SpareSchemaPoolService } from '../src/tenancy/registry/spare-schema-pool.service';
import { TenantsService } from '../src/tenancy/registry/tenants.service';
import { parseArgs } from './lib/args';
import { openBenchDatabase } from './lib/bench-database';
import { relaunchFromSnapshot } from './lib/dist-snapshot';
import { benchMigrationStep } from './lib/extra-migration';
import { machineLine } from './lib/machine';
import { fixed, markdownTable, median, percentile, timed } from './lib/stats';
import { createTenants } from './lib/tenant-factory';
import { timeCommand } from './lib/time-command';
import { openToolsContext } from './lib/tools-context';

const USAGE = 'npm run bench:schemas -- [--tenants 1000] [--samples 50] [--concurrency 4] [--repeat 5] [--out results.json]';
const log = (line: string) => process.stderr.write(`[bench:schemas] ${line}\n`);
const ms = (samples: number[]) => `p50 ${fixed(percentile(samples, 50))} ms, p99 ${fixed(percentile(samples, 99))} ms`;

/**
 * Provisioning from the spare pool, in a context with SPARE_SCHEMA_POOL_SIZE = samples: filled first, then
 * `samples` sequential creates. With `background`, each create also triggers the refill the server runs.
 */
async function provisionFromPool(databaseUrl: string, samples: number, background: boolean) {
  const app = await openToolsContext(databaseUrl, { SPARE_SCHEMA_POOL_SIZE: String(samples) });
  try {
    const pool = app.get(SpareSchemaPoolService);
    const refill = await timed(() => pool.refill());
    const before = await pool.count();
    if (background) pool.startBackgroundRefill();
    const run = await createTenants(app.get(TenantsService), samples, { prefix: background ? 'poolbg' : 'pool', concurrency: 1 });
    const claimed = background ? undefined : before - (await pool.count());
    if (background) await pool.refill(); // let the last background refill finish before the context closes
    return { latenciesMs: run.latenciesMs, refillMs: refill.ms, claimed };
  } finally {
    await app.close();
  }
}

async function repeatTimed(times: number, work: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push((await timed(work)).ms);
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { tenants: 'number', samples: 'number', concurrency: 'number', repeat: 'number', out: 'string', help: 'boolean' });
  if (args.help) return void console.log(USAGE);
  const tenantCount = Number(args.tenants ?? 1000);
  const samples = Number(args.samples ?? 50);
  const concurrency = Number(args.concurrency ?? 4);
  const repeat = Number(args.repeat ?? 5);

  const machine = machineLine();
  const database = await openBenchDatabase('schemas', log);
  let app: INestApplicationContext | undefined;
  try {
    app = await openToolsContext(database.url, { SPARE_SCHEMA_POOL_SIZE: '0' });
    await app.get(SharedMigrationsService).migrate();
    const tenants = app.get(TenantsService);
    const migrations = app.get(TenantMigrationsService);
    const dataSource = app.get(DataSource);

    log(`creating ${tenantCount} tenants, ${concurrency} at a time (PBKDF2 at API_KEY_PBKDF2_ITERATIONS each)…`);
    const bulk = await createTenants(tenants, tenantCount, { prefix: 'bulk', concurrency, onProgress: (n) => log(`  ${n}/${tenantCount}`) });

    log(`provisioning ${samples} tenants one at a time without the spare pool…`);
    const noPool = await createTenants(tenants, samples, { prefix: 'nopool', concurrency: 1 });
    log(`provisioning ${samples} tenants one at a time from a filled spare pool…`);
    const pooled = await provisionFromPool(database.url, samples, false);
    log(`…and again with the server's background refill after each claim…`);
    const pooledBackground = await provisionFromPool(database.url, samples, true);
    // Every create hashes its new key first: the floor under provisioning, pool or not.
    const iterations = app.get(EnvironmentVariables).API_KEY_PBKDF2_ITERATIONS;
    const hashing = await repeatTimed(samples, () => hashApiKey(generateApiKey().key, iterations));

    const check = await migrations.check();
    if (check.behind.length || check.failed.length) throw new Error('schemas behind or failed before the migration runs');
    const checks = await repeatTimed(repeat, () => migrations.check());
    const noops = await repeatTimed(repeat, async () => {
      const { results } = await migrations.migrate();
      if (results.length) throw new Error(`the no-op migrate touched ${results.length} schema(s)`);
    });

    const cli = path.resolve(__dirname, '../src/cli.js');
    const cliEnv = { DATABASE_URL: database.url };
    const cliChecks = await repeatTimed(3, () => timeCommand(cli, ['migrate', '--check'], cliEnv));
    const cliNoops = await repeatTimed(3, () => timeCommand(cli, ['migrate'], cliEnv));

    const [{ present }] = await dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS "present"`, [`"${bulk.tenants[0]?.schemaName}"."targets"`]);
    const table = present ? 'targets' : 'migrations';
    const step = benchMigrationStep(table);
    log(`applying ${step.name} (a column and an index on "${table}") to every schema…`);
    const real = await timed(() => migrations.migrate({ steps: [...TENANT_STEPS, step] }));
    const [{ schemas, migrated }] = await dataSource.query(
      `SELECT (SELECT count(*)::int FROM "shared"."schema_versions") AS "schemas",
              (SELECT count(*)::int FROM information_schema.columns WHERE table_name = $1 AND column_name = 'bench_note') AS "migrated"`,
      [table],
    );
    if (real.result.failed || migrated !== schemas) throw new Error(`the migration reached ${migrated}/${schemas} schemas, ${real.result.failed} failed`);
    const perSchema = real.result.results.map((r) => r.durationMs);

    const present1 = tenantCount + samples;
    const rows = [
      ['bulk creation', `${tenantCount} tenants, ${concurrency} at a time`, `${fixed(bulk.wallMs / 1000)} s (${fixed(tenantCount / (bulk.wallMs / 1000))}/s); ${ms(bulk.latenciesMs)}; last 100: ${ms(bulk.latenciesMs.slice(-100))}`, '—'],
      ['provisioning, no pool', `${samples} sequential creates, ${tenantCount} tenants present`, ms(noPool.latenciesMs), '—'],
      ['provisioning, spare pool', `${samples} sequential creates from a pool filled beforehand (fill: ${fixed(pooled.refillMs / 1000)} s; ${pooled.claimed} took a spare), ${present1} tenants present`, ms(pooled.latenciesMs), 'p50 ≤ 50 ms'],
      ['… with background refill', `same, the server's refill running after each claim, ${present1 + samples} tenants present`, ms(pooledBackground.latenciesMs), 'p50 ≤ 50 ms'],
      ['… of which key hashing', `hashApiKey alone (PBKDF2-SHA256, ${iterations.toLocaleString('en-US')} iterations), ${samples} in a row`, ms(hashing), '—'],
      ['migrate --check', `TenantMigrationsService.check() over ${check.total} schemas, ${repeat} runs`, `median ${fixed(median(checks))} ms, max ${fixed(Math.max(...checks))} ms`, '≤ 1 s'],
      ['no-op migrate', `TenantMigrationsService.migrate(), all current, ${repeat} runs`, `median ${fixed(median(noops))} ms, max ${fixed(Math.max(...noops))} ms`, '≤ 3 s'],
      ['CLI migrate --check', `node dist/src/cli.js migrate --check, whole process (start-up included), 3 runs`, `median ${fixed(median(cliChecks))} ms, max ${fixed(Math.max(...cliChecks))} ms`, '≤ 1 s'],
      ['CLI no-op migrate', `node dist/src/cli.js migrate, whole process, 3 runs`, `median ${fixed(median(cliNoops))} ms, max ${fixed(Math.max(...cliNoops))} ms`, '≤ 3 s'],
      ['one real migration', `migrate({ steps }) + ADD COLUMN and CREATE INDEX on "${table}", ${schemas} schemas, concurrency ${migrations.defaultConcurrency}`, `${fixed(real.ms / 1000, 2)} s; per schema ${ms(perSchema)}`, '≤ 60 s'],
    ];
    const header = `${machine}; ${database.description}; tenant migrations: ${LATEST_TENANT_VERSION ?? '(none)'}`;
    console.log(`\n${header}\n\n${markdownTable(['measure', 'what', 'result', 'target'], rows)}\n`);
    if (args.out) {
      const raw = { header, bulk, noPool: noPool.latenciesMs, pooled, pooledBackground, hashing, checks, noops, cliChecks, cliNoops, real: { ms: real.ms, table, perSchema } };
      writeFileSync(String(args.out), JSON.stringify(raw, (key, value) => (key === 'tenants' ? undefined : value), 1));
    }
  } finally {
    await app?.close().catch(() => undefined);
    await database.close();
  }
}

if (!relaunchFromSnapshot(__filename)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
