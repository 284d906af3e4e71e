import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { loadConfig } from '../src/config/load-config';
import { connectDatabase } from '../src/database/database-connection';
import { SharedMigrationsService } from '../src/database/migrations/shared-migrations.service';
import { verifyApiKey } from '../src/tenancy/auth/api-key-hasher';
import { ApiExpressAdapter } from '../src/http/api-express-adapter';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';

/**
 * `npm run demo`: two tenants on the embedded database (or DATABASE_URL), isolation, the stored key hash, key
 * rotation and a worker running a job, each step printed; the tenants are deleted at the end. Exits non-zero
 * with the failed step and its reason.
 */
interface Answer {
  status: number;
  body: any;
}

let base = '';
const ADMIN_KEY = randomBytes(24).toString('hex');

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function expectStatus(answer: Answer, status: number, what: string): any {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

let stepNumber = 0;
async function step<T>(title: string, work: () => Promise<T>): Promise<T> {
  stepNumber += 1;
  console.log(`\n${stepNumber}. ${title}`);
  try {
    return await work();
  } catch (error) {
    throw new Error(`step ${stepNumber} (${title}) failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const say = (line: string) => console.log(`   ${line}`);

async function main(): Promise<number> {
  const config = loadConfig({ ...process.env, ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' });
  const started = Date.now();
  console.log('Tenantry demo');
  const database = await connectDatabase(config, () => undefined);
  say(`database: ${database.description}`);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ config, databaseUrl: database.url }), new ApiExpressAdapter(), {
    bodyParser: false,
    logger: false,
  });
  configureApp(app, config);
  await app.get(SharedMigrationsService).migrate();
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const admin = { 'X-Admin-Key': ADMIN_KEY };
  const suffix = randomBytes(3).toString('hex');
  const made: string[] = [];
  try {
    const tenants = await step('Create two tenants (each API key is shown once)', async () => {
      const created = [];
      for (const name of ['Acme', 'Globex']) {
        const body = expectStatus(await call('POST', '/tenants', admin, { name, slug: `demo-${name.toLowerCase()}-${suffix}` }), 201, `create ${name}`);
        made.push(body.tenant.id);
        say(`${body.tenant.slug}: key ${body.apiKey}`);
        created.push({ ...body.tenant, key: body.apiKey as string });
      }
      return created;
    });
    const [acme, globex] = tenants;

    await step('Their schemas: one per tenant, the same tables in each', async () => {
      const rows: Array<{ schema: string; tables: string }> = await app.get(DataSource).query(
        `SELECT "table_schema" AS "schema", string_agg("table_name", ', ' ORDER BY "table_name") AS "tables"
           FROM information_schema.tables WHERE "table_schema" = ANY($1) GROUP BY 1 ORDER BY 1`,
        [tenants.map((t) => t.schemaName)],
      );
      if (rows.length !== 2) throw new Error(`expected 2 schemas, found ${rows.length}`);
      for (const row of rows) say(`${row.schema}: ${row.tables}`);
    });

    const work = await step('A target and a job in each tenant', async () => {
      const out = [];
      for (const tenant of tenants) {
        const key = { 'X-API-Key': tenant.key };
        const target = expectStatus(await call('POST', '/targets', key, { name: 'web-1', address: `https://web-1.${tenant.slug}.internal` }), 201, 'create target');
        const job = expectStatus(await call('POST', '/jobs', key, { targetId: target.id, type: 'backup' }), 201, 'create job');
        say(`${tenant.slug}: target ${target.id} (${target.name}), job ${job.id} (${job.type}, ${job.status})`);
        out.push({ target, job });
      }
      return out;
    });

    await step("Isolation: Acme's target and job asked for with Globex's key", async () => {
      const other = { 'X-API-Key': globex.key };
      for (const path of [`/targets/${work[0].target.id}`, `/jobs/${work[0].job.id}`]) {
        const answer = await call('GET', path, other);
        expectStatus(answer, 404, `GET ${path} as Globex`);
        say(`GET ${path} with Globex's key -> ${answer.status} ${answer.body.message}`);
      }
      expectStatus(await call('GET', `/targets/${work[0].target.id}`, { 'X-API-Key': acme.key }), 200, 'GET as Acme');
      say("the same request with Acme's key -> 200");
    });

    await step("What the database keeps of Acme's key: a PBKDF2 hash, never the key", async () => {
      const [row] = await app.get(DataSource).query(
        `SELECT "id", "hash" FROM "shared"."api_keys" WHERE "tenant_id" = $1 AND "revoked_at" IS NULL`,
        [acme.id],
      );
      const [algorithm, iterations, salt, hash] = String(row.hash).split('$');
      say(`key ${acme.key.slice(0, 17)}… (key id ${row.id}; the secret is not stored)`);
      say(`stored: ${algorithm}, ${iterations} iterations, ${Buffer.from(salt, 'base64').length}-byte salt, ${Buffer.from(hash, 'base64').length}-byte hash`);
      if (!(await verifyApiKey(acme.key, row.hash))) throw new Error('the stored hash does not verify the key');
      say('PBKDF2 of the presented key matches the stored hash: verified');
    });

    const newKey = await step("Regenerate Acme's key: the old one is refused", async () => {
      const body = expectStatus(await call('POST', `/tenants/${acme.id}/regenerate-api-key`, admin), 200, 'regenerate');
      say(`new key ${body.apiKey}`);
      const old = await call('GET', '/tenant-info', { 'X-API-Key': acme.key });
      expectStatus(old, 401, 'old key');
      say(`old key -> ${old.status} ${old.body.message}`);
      expectStatus(await call('GET', '/tenant-info', { 'X-API-Key': body.apiKey }), 200, 'new key');
      say('new key -> 200');
      return body.apiKey as string;
    });

    await step("A worker claims Acme's job, logs and completes it", async () => {
      const key = { 'X-API-Key': newKey };
      const job = expectStatus(await call('POST', '/jobs/claim', key, { workerId: 'demo-worker', leaseSeconds: 30 }), 200, 'claim');
      say(`claimed job ${job.id} (attempt ${job.attempts}, lease until ${job.leaseExpiresAt})`);
      const entries = [{ level: 'info', message: 'backup started' }, { level: 'info', message: 'copied 12 files', data: { files: 12 } }];
      expectStatus(await call('POST', `/jobs/${job.id}/logs`, key, { entries }), 201, 'append logs');
      const done = expectStatus(await call('POST', `/jobs/${job.id}/complete`, key, { workerId: 'demo-worker', result: { files: 12 } }), 200, 'complete');
      say(`job ${done.id}: ${done.status}`);
      const log = expectStatus(await call('GET', `/jobs/${job.id}/logs`, key), 200, 'read logs');
      for (const entry of log.items) say(`  #${entry.seq} ${entry.level} ${entry.message}`);
    });

    await step('Clean up: purge both tenants (schemas, keys, ledger entries)', async () => {
      for (const id of made.splice(0)) {
        const tenant = await app.get(TenantDeletionService).purge(id);
        say(`purged ${tenant.slug} (${tenant.schemaName})`);
      }
    });
    console.log(`\nDemo done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return 0;
  } catch (error) {
    console.error(`\nDemo FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    for (const id of made) await app.get(TenantDeletionService).purge(id).catch(() => undefined);
    await app.close();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Demo FAILED before it began: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
