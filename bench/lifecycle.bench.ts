import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { SharedMigrationsService } from '../src/database/migrations/shared-migrations.service';
import { TenantsService } from '../src/tenancy/registry/tenants.service';
import { AppProcess, startAppProcess } from './lib/app-process';
import { parseArgs } from './lib/args';
import { openBenchDatabase } from './lib/bench-database';
import { relaunchFromSnapshot } from './lib/dist-snapshot';
import { fillTenant, insertSelect, LifecycleSizes, rawCopyIn, rawCopyOut } from './lib/lifecycle-fixtures';
import { machineLine } from './lib/machine';
import { fixed, markdownTable, percentile, timed } from './lib/stats';
import { createTenants } from './lib/tenant-factory';
import { openToolsContext } from './lib/tools-context';

const USAGE = 'npm run bench:lifecycle -- [--scale 1] [--tenants 1000 × scale] [--samples 30] [--out results.json]';
const log = (line: string) => process.stderr.write(`[bench:lifecycle] ${line}\n`);
const ADMIN_KEY = randomBytes(24).toString('hex');
const admin = { 'X-Admin-Key': ADMIN_KEY };

/** Wall time of `work` with the app's RSS sampled every 25 ms meanwhile: the peak above the RSS at the start. */
async function withRss<T>(app: AppProcess, work: () => Promise<T>): Promise<{ result: T; ms: number; rssStartMiB: number; rssGrowthMiB: number }> {
  const rssStartMiB = app.memory().rssMiB;
  let peak = rssStartMiB;
  const timer = setInterval(() => (peak = Math.max(peak, app.memory().rssMiB)), 25);
  try {
    const { result, ms } = await timed(work);
    peak = Math.max(peak, app.memory().rssMiB);
    return { result, ms, rssStartMiB, rssGrowthMiB: peak - rssStartMiB };
  } finally {
    clearInterval(timer);
  }
}

async function expectStatus(response: Response, status: number, what: string): Promise<Response> {
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
}

/** GET /tenants/{id}/export into `file`; the archive's bytes. */
async function exportTo(app: AppProcess, tenantId: string, file: string): Promise<number> {
  const response = await expectStatus(await fetch(`${app.url}/tenants/${tenantId}/export`, { headers: admin }), 200, 'export');
  await pipeline(Readable.fromWeb(response.body as never), createWriteStream(file));
  return statSync(file).size;
}

/** POST /tenants/import?slug=… with the archive streamed as the body. */
async function importFrom(app: AppProcess, file: string, slug: string): Promise<void> {
  const response = await fetch(`${app.url}/tenants/import?slug=${slug}`, {
    method: 'POST',
    headers: { ...admin, 'Content-Type': 'application/gzip' },
    body: Readable.toWeb(createReadStream(file)) as never,
    duplex: 'half',
  } as RequestInit);
  await expectStatus(response, 201, 'import');
  await response.arrayBuffer();
}

async function totalRows(client: Client, schema: string): Promise<number> {
  const s = client.escapeIdentifier(schema);
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM ${s}."targets") + (SELECT count(*) FROM ${s}."sessions") + (SELECT count(*) FROM ${s}."jobs")
          + (SELECT count(*) FROM ${s}."job_logs") AS "n"`,
  );
  return Number(rows[0].n);
}

/** DELETE then POST …/restore of `samples` tenants with `present` tenants in the registry, when soft delete exists. */
async function softDelete(app: AppProcess, tenants: TenantsService, present: number, samples: number) {
  const probe = await tenants.create('Probe', 'lc-probe');
  const answer = await fetch(`${app.url}/tenants/${probe.tenant.id}`, { method: 'DELETE', headers: admin });
  const body = answer.status === 200 ? ((await answer.json()) as { deletedAt?: string }) : {};
  if (!body.deletedAt) return undefined;
  log(`soft delete is there; creating ${present} tenants, 4 at a time…`);
  const made = await createTenants(tenants, present, { prefix: 'lc-many', concurrency: 4, onProgress: (n) => n % 100 === 0 && log(`  ${n}/${present}`) });
  const deletes: number[] = [];
  const restores: number[] = [];
  for (const tenant of made.tenants.slice(0, samples)) {
    deletes.push((await timed(async () => expectStatus(await fetch(`${app.url}/tenants/${tenant.id}`, { method: 'DELETE', headers: admin }), 200, 'delete'))).ms);
    restores.push((await timed(async () => expectStatus(await fetch(`${app.url}/tenants/${tenant.id}/restore`, { method: 'POST', headers: admin }), 200, 'restore'))).ms);
  }
  return { deletes, restores };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { scale: 'number', tenants: 'number', samples: 'number', out: 'string', help: 'boolean' });
  if (args.help) return void console.log(USAGE);
  const scale = Number(args.scale ?? 1);
  const samples = Number(args.samples ?? 30);
  const sizes: LifecycleSizes = { targets: Math.max(1, Math.round(10_000 * scale)), jobs: Math.max(1, Math.round(100_000 * scale)), logsPerJob: 10 };
  const present = Math.max(samples, Math.round(Number(args.tenants ?? 1000 * scale)));

  const machine = machineLine();
  const database = await openBenchDatabase('lifecycle', log);
  const work = mkdtempSync(path.join(tmpdir(), 'tenantry-bench-lifecycle-'));
  const files = (table: string) => path.join(work, `${table}.copy`);
  const archive = path.join(work, 'source.tenantry.gz');
  let context: INestApplicationContext | undefined;
  let app: AppProcess | undefined;
  const client = new Client({ connectionString: database.url });
  try {
    context = await openToolsContext(database.url, { SPARE_SCHEMA_POOL_SIZE: '0' });
    await context.get(SharedMigrationsService).migrate();
    const tenants = context.get(TenantsService);
    await client.connect();
    const source = (await tenants.create('Lifecycle source', 'lc-source')).tenant;
    log(`filling ${source.schemaName}: ${sizes.targets} targets, ${sizes.jobs} jobs, ${sizes.jobs * sizes.logsPerJob} job logs (generate_series)…`);
    const fill = await timed(() => fillTenant(client, source.schemaName, sizes));
    const rows = await totalRows(client, source.schemaName);
    log(`  ${rows} rows in ${fixed(fill.ms / 1000)} s`);

    app = await startAppProcess(path.resolve(__dirname, '../src/main.js'), {
      DATABASE_URL: database.url,
      ADMIN_API_KEY: ADMIN_KEY,
      SPARE_SCHEMA_POOL_SIZE: '0',
      MIGRATIONS_RUN_ON_START: 'false',
    });
    // Warm-up: the export and import code paths loaded once, on an empty tenant, before anything is measured.
    const empty = (await tenants.create('Empty', 'lc-empty')).tenant;
    await exportTo(app, empty.id, path.join(work, 'empty.gz'));
    await importFrom(app, path.join(work, 'empty.gz'), 'lc-warm');

    log('export (GET /tenants/{id}/export into a file) and raw COPY TO STDOUT…');
    const exported = await withRss(app, () => exportTo(app!, source.id, archive));
    const rawOut = await timed(() => rawCopyOut(client, source.schemaName, files));
    log('import (POST /tenants/import) and raw COPY FROM STDIN…');
    const imported = await withRss(app, () => importFrom(app!, archive, 'lc-imported'));
    const rawTarget = (await tenants.create('Raw copy', 'lc-raw-copy')).tenant;
    const rawIn = await timed(() => rawCopyIn(client, rawTarget.schemaName, files));
    log('clone (POST /tenants { cloneFrom }) and INSERT … SELECT…');
    const cloned = await withRss(app, async () =>
      expectStatus(
        await fetch(`${app!.url}/tenants`, {
          method: 'POST',
          headers: { ...admin, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: 'Clone', slug: 'lc-clone', cloneFrom: source.id }),
        }),
        201,
        'clone',
      ),
    );
    const insertTarget = (await tenants.create('Insert select', 'lc-insert-select')).tenant;
    const inserted = await timed(() => insertSelect(client, source.schemaName, insertTarget.schemaName));
    for (const [what, schema] of [['import', 'tenant_lc_imported'], ['clone', 'tenant_lc_clone'], ['raw COPY', rawTarget.schemaName], ['INSERT … SELECT', insertTarget.schemaName]]) {
      const n = await totalRows(client, schema);
      if (n !== rows) throw new Error(`${what} holds ${n} rows, the source ${rows}`);
    }
    if (rawOut.result !== rows || rawIn.result !== rows || inserted.result !== rows) throw new Error('a raw yardstick moved a different number of rows');

    const soft = await softDelete(app, tenants, present, samples);

    const perSecond = (ms: number) => rows / (ms / 1000);
    const rate = (ms: number) => `${Math.round(perSecond(ms)).toLocaleString('en-US')} rows/s (${fixed(ms / 1000, 2)} s)`;
    const ratio = (ms: number, yardstickMs: number) => `${fixed(yardstickMs / ms, 2)}×`;
    const table = [
      ['export', `GET /tenants/{id}/export → file (${fixed(exported.result / 2 ** 20)} MiB gzip)`, rate(exported.ms), `${rate(rawOut.ms)} raw COPY TO STDOUT`, ratio(exported.ms, rawOut.ms), '≥ 0.5×'],
      ['import', 'POST /tenants/import (body: that file)', rate(imported.ms), `${rate(rawIn.ms)} raw COPY FROM STDIN`, ratio(imported.ms, rawIn.ms), '≥ 0.3×'],
      ['clone', 'POST /tenants { cloneFrom }', rate(cloned.ms), `${rate(inserted.ms)} INSERT … SELECT`, ratio(cloned.ms, inserted.ms), '≥ 0.5×'],
      ['server RSS during export', `peak VmRSS − VmRSS at the start (${fixed(exported.rssStartMiB)} MiB)`, `${fixed(exported.rssGrowthMiB)} MiB`, `import ${fixed(imported.rssGrowthMiB)} MiB, clone ${fixed(cloned.rssGrowthMiB)} MiB`, '—', '< 50 MiB'],
      soft
        ? ['soft delete / restore', `DELETE /tenants/{id} then POST …/restore, ${samples} tenants, ${present + 8} present`, `p50 ${fixed(percentile(soft.deletes, 50))} / ${fixed(percentile(soft.restores, 50))} ms`, `p99 ${fixed(percentile(soft.deletes, 99))} / ${fixed(percentile(soft.restores, 99))} ms`, '—', '≤ 100 ms p50']
        : ['soft delete / restore', 'soft delete: not available (DELETE /tenants/{id} drops the tenant at once in this build)', '—', '—', '—', '≤ 100 ms p50'],
    ];
    const header = `${machine}; ${database.description}; scale ${scale}: ${sizes.targets} targets, ${sizes.jobs} jobs, ${sizes.jobs * sizes.logsPerJob} job logs (${rows} rows)`;
    console.log(`\n${header}\n\n${markdownTable(['measure', 'what', 'result', 'yardstick', 'ratio', 'target'], table)}\n`);
    console.log(`export ${rate(exported.ms)}, raw COPY ${rate(rawOut.ms)}, ratio ${ratio(exported.ms, rawOut.ms)}`);
    console.log(`import ${rate(imported.ms)}, raw COPY ${rate(rawIn.ms)}, ratio ${ratio(imported.ms, rawIn.ms)}`);
    console.log(`clone ${rate(cloned.ms)}, INSERT … SELECT ${rate(inserted.ms)}, ratio ${ratio(cloned.ms, inserted.ms)}`);
    if (args.out) {
      const raw = { header, rows, fillMs: fill.ms, exported, rawOutMs: rawOut.ms, imported, rawInMs: rawIn.ms, cloned: { ...cloned, result: undefined }, insertSelectMs: inserted.ms, soft };
      writeFileSync(String(args.out), JSON.stringify(raw, null, 1));
    }
  } finally {
    await app?.stop().catch(() => undefined);
    await client.end().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await database.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (!relaunchFromSnapshot(__filename)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
