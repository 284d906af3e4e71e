import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

export interface LifecycleSizes {
  targets: number;
  jobs: number;
  /** Log entries per job (job_logs = jobs × logsPerJob). */
  logsPerJob: number;
}

/** Parents first, as export, import and every COPY below take them. */
export const LIFECYCLE_TABLES = ['targets', 'sessions', 'jobs', 'job_logs'] as const;

const id = (prefix: string, n: string) => `('00000000-0000-4000-${prefix}-' || lpad(to_hex(${n}), 12, '0'))::uuid`;

/** Fills a tenant schema with set-based SQL (generate_series): targets, jobs spread over them, logs per job. */
export async function fillTenant(client: Client, schema: string, sizes: LifecycleSizes): Promise<void> {
  const s = client.escapeIdentifier(schema);
  await client.query(
    `INSERT INTO ${s}."targets" ("id", "name", "kind", "address", "tags", "metadata", "created_at", "updated_at")
     SELECT ${id('8000', 'i')}, 'target-' || i, 'web', 'https://t' || i || '.example.test', ARRAY['bench', 'web'],
            jsonb_build_object('rack', i % 40, 'note', 'generated'), now() - i * interval '1 second', now()
       FROM generate_series(1, $1::int) AS i`,
    [sizes.targets],
  );
  await client.query(
    `INSERT INTO ${s}."jobs" ("id", "target_id", "type", "payload", "status", "priority", "attempts", "max_attempts", "run_at",
                              "result", "log_seq", "created_at", "updated_at", "started_at", "finished_at")
     SELECT ${id('9000', 'i')}, ${id('8000', '1 + i % $2::int')}, 'generic', jsonb_build_object('n', i, 'url', '/page/' || i),
            'succeeded', 0, 1, 3, now(), '{"ok":true}', $3::int, now() - i * interval '1 second', now(), now(), now()
       FROM generate_series(1, $1::int) AS i`,
    [sizes.jobs, sizes.targets, sizes.logsPerJob],
  );
  await client.query(
    `INSERT INTO ${s}."job_logs" ("job_id", "seq", "level", "message", "data", "timestamp")
     SELECT ${id('9000', 'j')}, k, CASE WHEN k % 5 = 0 THEN 'warn' ELSE 'info' END, 'step ' || k || ' of job ' || j,
            CASE WHEN k = 1 THEN jsonb_build_object('attempt', 1) END, now()
       FROM generate_series(1, $1::int) AS j, generate_series(1, $2::int) AS k`,
    [sizes.jobs, sizes.logsPerJob],
  );
  await client.query(`ANALYZE ${s}."targets", ${s}."jobs", ${s}."job_logs"`);
}

/** `COPY <table> TO STDOUT` of every table into one file per table; the rows it sent. */
export async function rawCopyOut(client: Client, schema: string, files: (table: string) => string): Promise<number> {
  let rows = 0;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  for (const table of LIFECYCLE_TABLES) {
    const copy = client.query(copyTo(`COPY ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(table)} TO STDOUT`));
    await pipeline(copy, createWriteStream(files(table)));
    rows += copy.rowCount ?? 0;
  }
  await client.query('COMMIT');
  return rows;
}

/** `COPY <table> FROM STDIN` of those files into another (empty) tenant schema, in one transaction; the rows it took. */
export async function rawCopyIn(client: Client, schema: string, files: (table: string) => string): Promise<number> {
  let rows = 0;
  await client.query('BEGIN');
  for (const table of LIFECYCLE_TABLES) {
    const copy = client.query(copyFrom(`COPY ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(table)} FROM STDIN`));
    await pipeline(createReadStream(files(table)), copy);
    rows += copy.rowCount ?? 0;
  }
  await client.query('COMMIT');
  return rows;
}

/** `INSERT INTO dst.t SELECT * FROM src.t` for every table, in one transaction (the clone's yardstick); the rows. */
export async function insertSelect(client: Client, from: string, to: string): Promise<number> {
  let rows = 0;
  await client.query('BEGIN');
  for (const table of LIFECYCLE_TABLES) {
    const t = client.escapeIdentifier(table);
    const result = await client.query(`INSERT INTO ${client.escapeIdentifier(to)}.${t} SELECT * FROM ${client.escapeIdentifier(from)}.${t}`);
    rows += result.rowCount ?? 0;
  }
  await client.query('COMMIT');
  return rows;
}
