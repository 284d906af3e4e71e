import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { JobLogStreamsService } from '../src/jobs/job-log-streams.service';
import { createRootLogger } from '../src/ops/logging/root-logger';
import { drainAndClose } from '../src/ops/shutdown/graceful-shutdown';
import { createJob, createTarget, JobBody, MISSING_ID, TenantClient, tenantClient } from './utils/domain-fixtures';
import { EventStreamClient, listeningPort, openEventStream } from './utils/event-stream';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

// Keep-alive re-reads at most every 300 s here: entries that arrive in a test came by NOTIFY, not by the periodic read.
const SETTINGS = { JOB_LOG_STREAM_KEEPALIVE_SECONDS: '300', JOB_LOG_STREAMS_PER_TENANT_MAX: '6', TENANT_POOL_MAX: '3', TENANT_POOL_MAX_PER_TENANT: '3' };

interface LogLine {
  msg: string;
  route?: string | null;
  status?: number;
}

/** Resolves once `check` holds, checking every 10 ms (what the server does on its own, observed without a sleep guess). */
async function eventually(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('GET /jobs/{id}/logs/stream (server-sent events)', () => {
  let t: TestApp;
  let b: NestExpressApplication;
  let a: TenantClient;
  let targetId: string;
  let port: number;
  const raw: string[] = [];
  const logLines = () => raw.map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    t = await createTestApp({ ...SETTINGS, LOG_LEVEL: 'log' }, (config) =>
      createRootLogger(config, { write: (line: string) => void raw.push(line) }),
    );
    ({ app: b } = await buildApp(t.databaseUrl, SETTINGS));
    a = await tenantClient(t);
    targetId = (await createTarget(a)).id;
    port = await listeningPort(t.app);
  });
  afterAll(async () => {
    if (b) await closeApp(b);
    await t?.close();
  });

  const streams = () => t.app.get(JobLogStreamsService);
  const open = (jobId: string, query = '', headers: Record<string, string> = {}, key = a.apiKey, on = port) =>
    openEventStream(on, `/jobs/${jobId}/logs/stream${query}`, { 'X-API-Key': key, ...headers });
  const append = (jobId: string, ...messages: string[]) =>
    a.post(`/jobs/${jobId}/logs`, { entries: messages.map((message) => ({ level: 'info', message })) }).expect(201);
  const messages = (client: EventStreamClient) => client.entries().map((e) => e.message);
  const seqs = (client: EventStreamClient) => client.entries().map((e) => e.seq);
  const hasEntries = (n: number) => (client: EventStreamClient) => client.until(() => client.entries().length >= n);

  async function claimAndComplete(job: JobBody, worker = 'w'): Promise<void> {
    const claimed = await a.post('/jobs/claim', { workerId: worker, types: [job.type] }).expect(200);
    expect(claimed.body.id).toBe(job.id);
    await a.post(`/jobs/${job.id}/complete`, { workerId: worker }).expect(200);
  }

  it('sends the backlog, then live entries, then `end` once the job has succeeded, and closes', async () => {
    const job = await createJob(a, targetId, { type: 'live' });
    await append(job.id, 'one', 'two');
    const client = await open(job.id);
    expect([client.status, client.headers['content-type'], client.headers['cache-control']]).toEqual([
      200,
      'text/event-stream; charset=utf-8',
      'no-cache, no-transform',
    ]);
    await hasEntries(2)(client);
    await append(job.id, 'three');
    await hasEntries(3)(client);
    await claimAndComplete(job);
    await client.ended;
    expect(messages(client)).toEqual(['one', 'two', 'three', 'claimed by w (attempt 1 of 3)', 'completed by w (attempt 1)']);
    expect(seqs(client)).toEqual([1, 2, 3, 4, 5]);
    expect(client.events.at(-1)).toEqual({ event: 'end', data: '{"status":"succeeded"}' });
    // Each entry is the JobLog of GET /jobs/{id}/logs, as JSON.
    const listed = (await a.get(`/jobs/${job.id}/logs`).expect(200)).body.items;
    expect(client.entries().map(({ seq, level, message, data, timestamp }) => ({ seq, level, message, data, timestamp }))).toEqual(listed);
    expect(client.events.filter((e) => e.id !== undefined).map((e) => e.id)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('resumes after Last-Event-ID (which wins over ?after), or after ?after', async () => {
    const job = await createJob(a, targetId, { type: 'resume' });
    await append(job.id, 'e1', 'e2', 'e3', 'e4');
    const resumed = await open(job.id, '?after=1', { 'Last-Event-ID': '2' });
    const after = await open(job.id, '?after=3');
    await Promise.all([hasEntries(2)(resumed), hasEntries(1)(after)]);
    await append(job.id, 'e5');
    await Promise.all([hasEntries(3)(resumed), hasEntries(2)(after)]);
    expect(messages(resumed)).toEqual(['e3', 'e4', 'e5']);
    expect(messages(after)).toEqual(['e4', 'e5']);
    await a.post(`/jobs/${job.id}/cancel`).expect(200);
    await Promise.all([resumed.ended, after.ended]);
    expect(seqs(resumed)).toEqual([3, 4, 5, 6]);
    expect(resumed.events.at(-1)).toEqual({ event: 'end', data: '{"status":"cancelled"}' });
  });

  it('follows entries and the end written through another instance', async () => {
    const job = await createJob(a, targetId, { type: 'remote' });
    const client = await open(job.id);
    await eventually(() => streams().openCount === 1);
    const onB = (path: string, body: object) => request(b.getHttpServer()).post(path).set('X-API-Key', a.apiKey).send(body);
    await onB(`/jobs/${job.id}/logs`, { entries: [{ level: 'warn', message: 'from b', data: { n: 1 } }] }).expect(201);
    await hasEntries(1)(client);
    expect(client.entries()[0]).toEqual({ seq: 1, level: 'warn', message: 'from b', data: { n: 1 }, timestamp: expect.any(String) });
    await onB('/jobs/claim', { workerId: 'wb', types: ['remote'] }).expect(200);
    await onB(`/jobs/${job.id}/fail`, { workerId: 'wb', error: 'boom', retryable: false }).expect(200);
    await client.ended;
    expect(messages(client)).toEqual(['from b', 'claimed by wb (attempt 1 of 3)', 'attempt 1 of 3 failed; job failed']);
    expect(client.events.at(-1)).toEqual({ event: 'end', data: '{"status":"failed"}' });
  });

  it('answers a finished job with its backlog and `end` (on the document: text/event-stream)', async () => {
    const job = await createJob(a, targetId, { type: 'done' });
    await claimAndComplete(job);
    const res = await a.get(`/jobs/${job.id}/logs/stream`).expect(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.text.split('\n\n').filter(Boolean).map((block) => block.split('\n')[0])).toEqual(['id: 1', 'id: 2', 'event: end']);
    const after = await a.get(`/jobs/${job.id}/logs/stream`).set('Last-Event-ID', '2').expect(200);
    expect(after.text).toBe('event: end\ndata: {"status":"succeeded"}\n\n');
    // HEAD answers the headers of the stream and ends.
    const running = await createJob(a, targetId, { type: 'head' });
    const head = await request(t.app.getHttpServer()).head(`/jobs/${running.id}/logs/stream`).set('X-API-Key', a.apiKey).expect(200);
    expect(head.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });

  it('answers 404 for an unknown job and for another tenant\'s job, 400 for a bad Last-Event-ID or after', async () => {
    const job = await createJob(a, targetId, { type: 'mine' });
    const other = await tenantClient(t);
    const notFound = { statusCode: 404, error: 'Not Found', message: 'Job not found', requestId: expect.any(String) };
    expect((await a.get(`/jobs/${MISSING_ID}/logs/stream`).expect(404)).body).toEqual(notFound);
    expect((await other.get(`/jobs/${job.id}/logs/stream`).expect(404)).body).toEqual(notFound);
    const bad = (await a.get(`/jobs/${job.id}/logs/stream`).set('Last-Event-ID', 'abc').expect(400)).body;
    expect(bad.message).toBe('Last-Event-ID must be an integer from 0 to 2147483647 (the seq of the last entry received)');
    expect((await a.get(`/jobs/${job.id}/logs/stream?after=-1`).expect(400)).body.message).toContain('after must be an integer from 0 to 2147483647');
    expect((await a.get('/jobs/nope/logs/stream').expect(400)).body.message).toEqual(expect.stringContaining('id'));
    expect(streams().openCount).toBe(0);
  });

  it('needs the read (or worker) scope', async () => {
    const job = await createJob(a, targetId, { type: 'scoped' });
    const keyWith = async (scopes: string[]) =>
      (
        await request(t.app.getHttpServer())
          .post(`/tenants/${a.id}/keys`)
          .set('X-Admin-Key', TEST_ADMIN_KEY)
          .send({ name: `stream-${scopes.join('+')}`, scopes })
          .expect(201)
      ).body.apiKey as string;
    const refused = await t.http().get(`/jobs/${job.id}/logs/stream`).set('X-API-Key', await keyWith(['write'])).expect(403);
    expect(refused.body.message).toBe('API key lacks the read scope');
    await t.http().get(`/jobs/${job.id}/logs/stream`).expect(401);
    await append(job.id, 'visible');
    const reader = await open(job.id, '', {}, await keyWith(['read']));
    await hasEntries(1)(reader);
    reader.close();
    await eventually(() => streams().openCount === 0);
  });

  it('holds no connection between reads, releases everything when the client leaves, and caps streams per tenant', async () => {
    // More open streams than the tenant pool has connections (3): each still gets its live entries.
    const jobs = await Promise.all(Array.from({ length: 6 }, () => createJob(a, targetId, { type: 'many' })));
    const clients = await Promise.all(jobs.map((job) => open(job.id)));
    await eventually(() => streams().openCount === 6);
    const refused = await a.get(`/jobs/${jobs[0].id}/logs/stream`).expect(429);
    expect(refused.body.message).toBe('This tenant already has 6 log streams open; close one or poll GET /jobs/{id}/logs');
    expect(refused.headers['retry-after']).toBe('5');
    await a.get('/jobs?limit=1').expect(200);
    await Promise.all(jobs.map((job) => append(job.id, `for ${job.id}`)));
    await Promise.all(clients.map(hasEntries(1)));
    clients.forEach((client, i) => expect(messages(client)).toEqual([`for ${jobs[i].id}`]));
    for (const client of clients) client.close();
    await eventually(() => streams().openCount === 0);
    // Once the streams are gone, the tenant may open new ones.
    const again = await open(jobs[0].id);
    await hasEntries(1)(again);
    again.close();
    await eventually(() => streams().openCount === 0);
  });

  it('logs one line per stream, when it ends: completed when the server ended it, aborted when the client left', async () => {
    const job = await createJob(a, targetId, { type: 'logged' });
    const before = raw.length;
    const streamLines = () => logLines().slice(before).filter((line) => line.route === '/jobs/:id/logs/stream');
    const left = await open(job.id);
    await eventually(() => streams().openCount === 1);
    left.close();
    await eventually(() => streams().openCount === 0);
    await claimAndComplete(job);
    await (await open(job.id)).ended;
    await eventually(() => streamLines().length >= 2);
    expect(streamLines().map(({ msg, status }) => ({ msg, status }))).toEqual([
      { msg: 'request aborted', status: 200 },
      { msg: 'request completed', status: 200 },
    ]);
  });

  // Its own timeout, far under the grace period: a stream that held the drain up would fail the test.
  it('ends open streams at once when the server drains, without `end` (the client resumes elsewhere)', async () => {
    const other = await buildApp(t.databaseUrl, SETTINGS);
    let closed = false;
    try {
      const job = await createJob(a, targetId, { type: 'drain' });
      await append(job.id, 'before');
      const client = await open(job.id, '', {}, a.apiKey, await listeningPort(other.app));
      await hasEntries(1)(client);
      const logger = createRootLogger(other.config, { write: () => undefined });
      await drainAndClose(other.app, 120_000, logger);
      closed = true;
      await client.ended;
      expect(messages(client)).toEqual(['before']);
      expect(client.events.map((e) => e.event)).not.toContain('end');
      expect(other.app.get(JobLogStreamsService).openCount).toBe(0);
    } finally {
      if (!closed) await closeApp(other.app);
    }
  }, 20_000);

  it('answers 503 past JOB_LOG_STREAMS_MAX streams on one server', async () => {
    const other = await buildApp(t.databaseUrl, { ...SETTINGS, JOB_LOG_STREAMS_MAX: '1' });
    try {
      const job = await createJob(a, targetId, { type: 'full' });
      const otherPort = await listeningPort(other.app);
      const first = await open(job.id, '', {}, a.apiKey, otherPort);
      const second = await open(job.id, '', {}, a.apiKey, otherPort);
      await second.ended;
      expect([first.status, second.status, second.headers['retry-after']]).toEqual([200, 503, '5']);
      expect(JSON.parse(second.events[0].data!).message).toBe('This server has no room for another log stream; retry shortly');
      first.close();
    } finally {
      await closeApp(other.app);
    }
  });

  it('sends a keep-alive comment every JOB_LOG_STREAM_KEEPALIVE_SECONDS', async () => {
    const other = await buildApp(t.databaseUrl, { JOB_LOG_STREAM_KEEPALIVE_SECONDS: '1' });
    try {
      const job = await createJob(a, targetId, { type: 'quiet' });
      const client = await open(job.id, '', {}, a.apiKey, await listeningPort(other.app));
      await client.until((events) => events.some((e) => e.comment === 'keep-alive'));
      client.close();
    } finally {
      await closeApp(other.app);
    }
  });

  it('ends the tenant\'s streams when its keys change (the reconnection is authenticated again)', async () => {
    const job = await createJob(a, targetId, { type: 'rekeyed' });
    const client = await open(job.id);
    await eventually(() => streams().openCount === 1);
    await request(t.app.getHttpServer())
      .post(`/tenants/${a.id}/regenerate-api-key`)
      .set('X-Admin-Key', TEST_ADMIN_KEY)
      .expect(200);
    await client.ended;
    expect(client.events.map((e) => e.event)).not.toContain('end');
  });
});
