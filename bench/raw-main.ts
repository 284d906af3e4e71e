import { createServer, type IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';
import { loadConfig } from '../src/config/load-config';

/**
 * The raw yardstick of `npm run bench`: what `node:http` + `pg` alone do for `GET /targets?limit=20` on a tenant
 * schema — the same query (newest first by `(created_at, id)`, limit + 1), the same JSON shape and next cursor,
 * the same pool size as the app's tenant pool, no framework, no auth, no validation — and for `POST /targets`: the
 * JSON body read and parsed, one `INSERT … ON CONFLICT DO NOTHING RETURNING` (the app's statement), the target
 * as JSON (201; 409 for a taken name). The app's distance to it is what its own request path costs.
 * Environment: DATABASE_URL, BENCH_RAW_SCHEMA, PORT, HOST.
 */
const config = loadConfig();
const schema = process.env.BENCH_RAW_SCHEMA;
if (!config.DATABASE_URL || !schema) throw new Error('DATABASE_URL and BENCH_RAW_SCHEMA are required');
const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.TENANT_POOL_MAX, application_name: `${config.INSTANCE_NAME}:raw` });
const table = `${escapeIdentifier(schema)}."targets"`;
const LIST = `SELECT "id", "name", "kind", "address", "tags", "metadata", "created_at", "updated_at" FROM ${table}
  ORDER BY "created_at" DESC, "id" DESC LIMIT $1`;
const INSERT = `INSERT INTO ${table} ("id", "name", "kind", "address", "tags", "metadata", "created_at", "updated_at")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING RETURNING "id"`;

interface TargetInput {
  name: string;
  kind?: string;
  address: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

function readJson(req: IncomingMessage): Promise<TargetInput> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as TargetInput);
      } catch (error) {
        reject(error as Error);
      }
    });
    req.on('error', reject);
  });
}

interface TargetRow {
  id: string;
  name: string;
  kind: string;
  address: string;
  tags: string[];
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const toItem = (row: TargetRow) => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  address: row.address,
  tags: row.tags,
  metadata: row.metadata,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const server = createServer((req, res) => {
  const send = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-request-id': randomUUID() });
    res.end(text);
  };
  const url = new URL(req.url ?? '/', 'http://raw');
  if (url.pathname === '/health') return send(200, { status: 'ok' });
  if (req.method === 'POST' && url.pathname === '/targets') return void create(req).then(([status, body]) => send(status, body), () => send(400, { statusCode: 400 }));
  if (req.method !== 'GET' || url.pathname !== '/targets') return send(404, { statusCode: 404 });
  const limit = Number(url.searchParams.get('limit') ?? 50);
  pool.query<TargetRow>(LIST, [limit + 1]).then(
    ({ rows }) => {
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor =
        rows.length > limit ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString('base64url') : null;
      send(200, { items: page.map(toItem), nextCursor });
    },
    () => send(503, { statusCode: 503 }),
  );
});

async function create(req: IncomingMessage): Promise<[number, unknown]> {
  const input = await readJson(req);
  const now = new Date();
  const row = { id: randomUUID(), name: input.name.trim(), kind: input.kind ?? 'generic', address: input.address, tags: input.tags ?? [], metadata: input.metadata ?? {} };
  const { rows } = await pool.query(INSERT, [row.id, row.name, row.kind, row.address, row.tags, JSON.stringify(row.metadata), now]);
  if (rows.length === 0) return [409, { statusCode: 409 }];
  return [201, { ...row, createdAt: now.toISOString(), updatedAt: now.toISOString() }];
}

server.keepAliveTimeout = 5_000;
server.listen(config.PORT, config.HOST);
const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
