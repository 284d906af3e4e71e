import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { JobWakeupsService } from '../../src/jobs/job-wakeups.service';
import { ScheduleRunnerService } from '../../src/schedules/schedule-runner.service';
import { ScheduleWatchRepository } from '../../src/schedules/schedule-watch.repository';
import { TenantDeletionService } from '../../src/tenancy/registry/tenant-deletion.service';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp } from '../utils/test-app';
import { createSession, createTarget, ISO, listAll, MISSING_ID, TenantClient, tenantClient, UUID } from '../utils/domain-fixtures';

interface ScheduleBody {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  job: { targetId: string; sessionId: string | null; type: string; payload: Record<string, unknown>; priority: number; maxAttempts: number };
  enabled: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface QueuedJob {
  id: string;
  type: string;
  status: string;
  runAt: Date;
  payload: Record<string, unknown>;
  priority: number;
  maxAttempts: number;
  sessionId: string | null;
  targetId: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// The schedules the scheduler tests drive: no real occurrence comes while the tests run, so only the
// occurrences a test makes due (in the past) can be queued, whatever the instances' own timers do.
const YEARLY = '0 0 1 1 *';
const nextNewYear = () => `${new Date().getUTCFullYear() + 1}-01-01T00:00:00.000Z`;

/** The wall-clock hour and minute of `iso` in `zone`, e.g. `09:00`. */
const localTime = (iso: string, zone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

describe('schedules (recurring jobs)', () => {
  let t: TestApp;
  let second: NestExpressApplication;
  let a: TenantClient;
  let b: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    // The timers stay out of the way (60 s); the tests drive the ticks of both instances themselves.
    t = await createTestApp({ SCHEDULE_TICK_SECONDS: '60' });
    ({ app: second } = await buildApp(t.databaseUrl, { SCHEDULE_TICK_SECONDS: '60' }));
    [a, b] = [await tenantClient(t), await tenantClient(t)];
    targetId = (await createTarget(a)).id;
  });
  afterAll(async () => {
    if (second) await closeApp(second);
    await t?.close();
  });

  const create = async (client: TenantClient, body: Record<string, unknown> = {}): Promise<ScheduleBody> =>
    (
      await client
        .post('/schedules', { name: 'new year', cron: YEARLY, job: { targetId, type: 'scheduled' }, ...body })
        .expect(201)
    ).body;
  const tickBoth = (rounds = 1) =>
    Promise.all(
      Array.from({ length: rounds }, () => [t.app, second].map((app) => app.get(ScheduleRunnerService).tick())).flat(),
    );
  /** Moves the schedule's next occurrence into the past, and the tenant's watch row with it (as if the servers were down). */
  const dueAt = async (client: TenantClient, id: string, at: Date) => {
    await client.sql(`UPDATE $schema."schedules" SET "next_run_at" = $1 WHERE "id" = $2`, [at, id]);
    await t.db.query(
      `INSERT INTO "shared"."schedule_watch" AS w ("tenant_id", "run_at", "version") VALUES ($1, $2, 1)
       ON CONFLICT ("tenant_id") DO UPDATE SET "run_at" = EXCLUDED."run_at", "version" = w."version" + 1`,
      [client.id, at],
    );
  };
  const jobsOf = (client: TenantClient, scheduleId: string) =>
    client.sql<QueuedJob>(
      `SELECT "id", "type", "status", "run_at" AS "runAt", "payload", "priority", "max_attempts" AS "maxAttempts",
              "session_id" AS "sessionId", "target_id" AS "targetId"
         FROM $schema."jobs" WHERE "idempotency_key" LIKE $1 ORDER BY "run_at"`,
      [`schedule:${scheduleId}:%`],
    );
  const scheduleCount = async (client: TenantClient) =>
    Number((await client.sql<{ n: string }>(`SELECT count(*) AS n FROM $schema."schedules"`))[0].n);
  const watchRow = async (tenantId: string) =>
    (await t.db.query(`SELECT "run_at" AS "runAt" FROM "shared"."schedule_watch" WHERE "tenant_id" = $1`, [tenantId]))[0] as
      | { runAt: Date }
      | undefined;
  /** A whole minute in the past, distinct per call. */
  let minutesBack = 60;
  const pastMinute = () => {
    minutesBack += 7;
    return new Date(Math.floor(Date.now() / MINUTE) * MINUTE - minutesBack * MINUTE);
  };

  describe('CRUD', () => {
    it('creates a schedule with its defaults, the next occurrence, and a watch row for the tenant', async () => {
      const before = Date.now();
      const schedule = await create(a, { name: 'minutely', cron: '* * * * *' });
      expect(schedule).toEqual({
        id: expect.stringMatching(UUID),
        name: 'minutely',
        cron: '* * * * *',
        timezone: 'UTC',
        job: { targetId, sessionId: null, type: 'scheduled', payload: {}, priority: 0, maxAttempts: 3 },
        enabled: true,
        nextRunAt: expect.stringMatching(ISO),
        lastRunAt: null,
        createdAt: expect.stringMatching(ISO),
        updatedAt: schedule.createdAt,
      });
      // The first whole minute after now.
      const next = Date.parse(schedule.nextRunAt!);
      expect(next % MINUTE).toBe(0);
      expect(next).toBeGreaterThan(before);
      expect(next).toBeLessThanOrEqual(Date.now() + MINUTE);
      expect((await watchRow(a.id))!.runAt.getTime()).toBeLessThanOrEqual(next);

      expect((await a.get(`/schedules/${schedule.id}`).expect(200)).body).toEqual(schedule);
      await a.delete(`/schedules/${schedule.id}`).expect(204);
      expect((await a.get(`/schedules/${schedule.id}`).expect(404)).body).toMatchObject({ statusCode: 404, message: 'Schedule not found' });
      await a.delete(`/schedules/${schedule.id}`).expect(404);
    });

    it('keeps the job template as given: session, payload, priority, attempts; collapses the spaces of cron', async () => {
      const session = await createSession(a, targetId);
      const schedule = await create(a, {
        cron: '  0  9 * *   1-5 ',
        timezone: 'America/New_York',
        enabled: false,
        job: { targetId, sessionId: session.id, type: 'report', payload: { kind: 'daily' }, priority: 5, maxAttempts: 7 },
      });
      expect(schedule).toMatchObject({
        cron: '0 9 * * 1-5',
        timezone: 'America/New_York',
        enabled: false,
        nextRunAt: null,
        job: { targetId, sessionId: session.id, type: 'report', payload: { kind: 'daily' }, priority: 5, maxAttempts: 7 },
      });
    });

    it('reads cron in the time zone: 09:00 in Paris is 08:00Z in winter, 07:00Z in summer', async () => {
      const schedule = await create(a, { cron: '0 9 * * *', timezone: 'Europe/Paris' });
      expect(localTime(schedule.nextRunAt!, 'Europe/Paris')).toBe('09:00');
      expect(new Date(schedule.nextRunAt!).toISOString()).toMatch(/T0[78]:00:00\.000Z$/);
      expect(Date.parse(schedule.nextRunAt!) - Date.now()).toBeLessThanOrEqual(25 * 60 * MINUTE);
    });

    it('pages newest first with a keyset cursor, and refuses a bad cursor or limit', async () => {
      const c = await tenantClient(t);
      const target = (await createTarget(c)).id;
      const made: string[] = [];
      for (let i = 0; i < 5; i += 1) made.push((await create(c, { name: `s${i}`, job: { targetId: target, type: 'x' } })).id);
      const first = (await c.get('/schedules?limit=2').expect(200)).body;
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      const all = await listAll<ScheduleBody>(c, '/schedules', 2);
      expect(all.map((s) => s.id)).toEqual([...made].reverse());
      await c.get('/schedules?cursor=nonsense').expect(400);
      await c.get('/schedules?limit=0').expect(400);
      await c.get('/schedules?limit=101').expect(400);
    });

    it('changes only the fields given; a name alone leaves nextRunAt as it was', async () => {
      const schedule = await create(a, { cron: '0 0 1 1 *' });
      // A name is trimmed, as a tenant's, key's or target's is.
      const renamed = (await a.patch(`/schedules/${schedule.id}`, { name: '  new year \u00a0' }).expect(200)).body as ScheduleBody;
      expect(renamed).toMatchObject({ name: 'new year', cron: '0 0 1 1 *', nextRunAt: schedule.nextRunAt, job: schedule.job });
      expect(Date.parse(renamed.updatedAt)).toBeGreaterThanOrEqual(Date.parse(schedule.updatedAt));
      const other = await createTarget(a);
      const moved = (await a.patch(`/schedules/${schedule.id}`, { job: { targetId: other.id, type: 'moved' } }).expect(200)).body;
      expect(moved.job).toEqual({ targetId: other.id, sessionId: null, type: 'moved', payload: {}, priority: 0, maxAttempts: 3 });
      expect((await a.get(`/schedules/${schedule.id}`).expect(200)).body).toEqual(moved);
    });

    it('recomputes nextRunAt on a new cron, timezone or enabled', async () => {
      const schedule = await create(a, { cron: '0 0 1 1 *' });
      const year = new Date().getUTCFullYear() + 1;
      expect(schedule.nextRunAt).toBe(`${year}-01-01T00:00:00.000Z`);
      await dueAt(a, schedule.id, pastMinute());
      const tokyo = (await a.patch(`/schedules/${schedule.id}`, { timezone: 'Asia/Tokyo' }).expect(200)).body;
      // Midnight of 1 January in Tokyo (UTC+9, no daylight saving time) is 15:00Z on 31 December.
      const tokyoNewYear = Date.parse(`${year}-01-01T00:00:00.000+09:00`);
      expect(tokyo.nextRunAt).toBe(new Date(tokyoNewYear > Date.now() ? tokyoNewYear : Date.parse(`${year + 1}-01-01T00:00:00.000+09:00`)).toISOString());
      const hourlyFrom = Date.now();
      const hourly = (await a.patch(`/schedules/${schedule.id}`, { cron: '0 * * * *', timezone: 'UTC' }).expect(200)).body;
      expect(Date.parse(hourly.nextRunAt) % HOUR).toBe(0);
      expect(Date.parse(hourly.nextRunAt)).toBeGreaterThan(hourlyFrom);
      expect(Date.parse(hourly.nextRunAt)).toBeLessThanOrEqual(hourlyFrom + HOUR);
      const off = (await a.patch(`/schedules/${schedule.id}`, { enabled: false }).expect(200)).body;
      expect(off).toMatchObject({ enabled: false, nextRunAt: null });
      await a.patch(`/schedules/${schedule.id}`, { cron: YEARLY }).expect(200);
      const on = (await a.patch(`/schedules/${schedule.id}`, { enabled: true }).expect(200)).body;
      expect(on).toMatchObject({ enabled: true, nextRunAt: nextNewYear() });
    });

    it('deletes the schedules of a deleted target', async () => {
      const target = await createTarget(a);
      const schedule = await create(a, { job: { targetId: target.id, type: 'x' } });
      await a.delete(`/targets/${target.id}`).expect(204);
      await a.get(`/schedules/${schedule.id}`).expect(404);
    });
  });

  describe('bad input', () => {
    const message = async (res: request.Test) => (await res.expect(400)).body.message as string[];

    it('refuses a cron without exactly five fields, or malformed, naming cron, and writes nothing', async () => {
      const c = await tenantClient(t);
      const target = (await createTarget(c)).id;
      const job = { targetId: target, type: 'x' };
      for (const [cron, problem] of [
        ['0 0 9 * * *', 'cron must have exactly 5 fields (minute hour day-of-month month day-of-week), not 6'],
        ['* * * *', 'cron must have exactly 5 fields (minute hour day-of-month month day-of-week), not 4'],
        ['@daily', 'cron must have exactly 5 fields (minute hour day-of-month month day-of-week), not 1'],
        ['H * * * *', 'cron may hold only digits, month and day names, * , - / ? L and #'],
      ]) {
        expect(await message(c.post('/schedules', { name: 'n', cron, job }))).toEqual([problem]);
      }
      for (const cron of ['0 0 30 2 *', 'a b c d e']) {
        const [problem] = await message(c.post('/schedules', { name: 'n', cron, job }));
        expect(problem).toMatch(/^cron (is not a valid cron expression|may hold only)/);
      }
      expect(await message(c.post('/schedules', { name: 'n', cron: 5, job }))).toContain('cron must be a string');
      expect(await scheduleCount(c)).toBe(0);
      expect(await watchRow(c.id)).toBeUndefined();
    });

    it('refuses a step of 0 or beyond its field, and a value or range beyond it, on create and on PATCH, changing nothing', async () => {
      const c = await tenantClient(t);
      const job = { targetId: (await createTarget(c)).id, type: 'x' };
      const refusals = [
        // cron-parser took these, and fired only at minute 0, midnight, the 1st, in January, on Sundays
        ['*/61 * * * *', 'cron has step 61 in the minute field: a step there is 1 to 59 (the field is 0-59)'],
        ['0 */25 * * *', 'cron has step 25 in the hour field: a step there is 1 to 23 (the field is 0-23)'],
        ['0 0 */32 * *', 'cron has step 32 in the day-of-month field: a step there is 1 to 30 (the field is 1-31)'],
        ['0 0 * */13 *', 'cron has step 13 in the month field: a step there is 1 to 11 (the field is 1-12)'],
        ['0 0 * * */8', 'cron has step 8 in the day-of-week field: a step there is 1 to 6 (the field is 0-7)'],
        ['*/0 * * * *', 'cron has step 0 in the minute field: a step there is 1 to 59 (the field is 0-59)'],
        ['0/0 * * * *', 'cron has step 0 in the minute field: a step there is 1 to 59 (the field is 0-59)'],
        ['5-70 * * * *', 'cron has 5-70 in the minute field, beyond 0-59'],
        ['61 * * * *', 'cron has 61 in the minute field, beyond 0-59'],
      ];
      for (const [cron, problem] of refusals) expect(await message(c.post('/schedules', { name: 'n', cron, job }))).toEqual([problem]);
      expect(await scheduleCount(c)).toBe(0);
      expect(await watchRow(c.id)).toBeUndefined();
      const schedule = (await c.post('/schedules', { name: 'n', cron: '1-59/2 * * * *', job }).expect(201)).body;
      for (const [cron, problem] of refusals) expect(await message(c.patch(`/schedules/${schedule.id}`, { cron }))).toEqual([problem]);
      expect((await c.get(`/schedules/${schedule.id}`).expect(200)).body).toEqual(schedule);
      for (const cron of ['*/15 * * * *', '0 9 * * 1-5', '0 9 * JAN-DEC/3 MON-FRI', '0 0 L * *', '0 9 * * MON#2']) {
        expect((await c.patch(`/schedules/${schedule.id}`, { cron }).expect(200)).body.cron).toBe(cron);
      }
    });

    it('refuses a time zone that is not an IANA name, naming timezone', async () => {
      for (const timezone of ['Mars/Olympus', '+01:00', 'CEST!', '']) {
        const problems = await message(a.post('/schedules', { name: 'n', cron: '* * * * *', timezone, job: { targetId, type: 'x' } }));
        expect(problems.some((p) => p.startsWith('timezone '))).toBe(true);
      }
      expect(await message(a.post('/schedules', { name: 'n', cron: '* * * * *', timezone: 'Mars/Olympus', job: { targetId, type: 'x' } }))).toEqual([
        'timezone must be an IANA time zone name such as UTC or Europe/Paris',
      ]);
    });

    it('validates the job as POST /jobs does, lists every problem, and refuses unknown fields and null', async () => {
      const problems = await message(
        a.post('/schedules', { name: '', cron: '* * * * *', job: { targetId: 'nope', type: '', priority: 101, maxAttempts: 0, payload: [] } }),
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          'name must be longer than or equal to 1 characters',
          'job.targetId must be a UUID',
          'job.type must be longer than or equal to 1 characters',
          'job.priority must not be greater than 100',
          'job.maxAttempts must not be less than 1',
          'job.payload must be a JSON object',
        ]),
      );
      expect(await message(a.post('/schedules', { name: 'n', cron: '* * * * *', job: { targetId, type: 'x', runAt: '2030-01-01T00:00:00Z' } }))).toEqual([
        'property job.runAt should not exist',
      ]);
      expect(await message(a.post('/schedules', { name: 'n', cron: '* * * * *', job: { targetId, type: 'x' }, nextRunAt: '2030-01-01T00:00:00Z' }))).toEqual([
        'property nextRunAt should not exist',
      ]);
      expect(await message(a.post('/schedules', { name: 'n', cron: '* * * * *' }))).toEqual(['job is required']);
      const schedule = await create(a);
      for (const body of [{ name: null }, { cron: null }, { enabled: 'yes' }, { id: MISSING_ID }, { cron: '0 0 0 * * *' }, { timezone: 'Nowhere/City' }]) {
        await a.patch(`/schedules/${schedule.id}`, body).expect(400);
      }
      expect((await a.get(`/schedules/${schedule.id}`).expect(200)).body).toEqual(schedule);
    });

    it('answers 404 for a missing target or a session of another target, like job creation, and writes nothing', async () => {
      const c = await tenantClient(t);
      const [mine, other] = [(await createTarget(c)).id, (await createTarget(c)).id];
      const session = await createSession(c, other);
      const refused = async (job: Record<string, unknown>, text: string) =>
        expect((await c.post('/schedules', { name: 'n', cron: '* * * * *', job }).expect(404)).body.message).toBe(text);
      await refused({ targetId: MISSING_ID, type: 'x' }, 'Target not found');
      await refused({ targetId: mine, sessionId: session.id, type: 'x' }, 'Session not found for this target');
      await refused({ targetId: mine, sessionId: MISSING_ID, type: 'x' }, 'Session not found for this target');
      expect(await scheduleCount(c)).toBe(0);
      const schedule = (await c.post('/schedules', { name: 'n', cron: '* * * * *', job: { targetId: mine, type: 'x' } }).expect(201)).body;
      expect((await c.patch(`/schedules/${schedule.id}`, { job: { targetId: MISSING_ID, type: 'x' } }).expect(404)).body.message).toBe('Target not found');
      expect((await c.get(`/schedules/${schedule.id}`).expect(200)).body).toEqual(schedule);
    });

    it("answers 404 for another tenant's schedule and 400 for a malformed id", async () => {
      const schedule = await create(a);
      await b.get(`/schedules/${schedule.id}`).expect(404);
      await b.patch(`/schedules/${schedule.id}`, { name: 'mine now' }).expect(404);
      await b.delete(`/schedules/${schedule.id}`).expect(404);
      expect((await b.get('/schedules').expect(200)).body.items).toEqual([]);
      expect((await a.get(`/schedules/${schedule.id}`).expect(200)).body.name).toBe('new year');
      await a.get('/schedules/not-a-uuid').expect(400);
    });

    it('takes the read scope for GET and the write scope for the rest', async () => {
      const keyWith = async (scopes: string[]) =>
        (
          await request(t.app.getHttpServer())
            .post(`/tenants/${a.id}/keys`)
            .set('X-Admin-Key', TEST_ADMIN_KEY)
            .send({ name: scopes.join('+'), scopes })
            .expect(201)
        ).body.apiKey as string;
      const [read, write] = [await keyWith(['read']), await keyWith(['write'])];
      const schedule = await create(a);
      const as = (key: string) => (req: request.Test) => req.set('X-API-Key', key);
      const body = { name: 'n', cron: '* * * * *', job: { targetId, type: 'x' } };
      const http = () => t.http();
      await as(read)(http().get('/schedules')).expect(200);
      await as(read)(http().get(`/schedules/${schedule.id}`)).expect(200);
      expect((await as(read)(http().post('/schedules')).send(body).expect(403)).body.message).toBe('API key lacks the write scope');
      await as(read)(http().patch(`/schedules/${schedule.id}`)).send({ name: 'x' }).expect(403);
      await as(read)(http().delete(`/schedules/${schedule.id}`)).expect(403);
      await as(write)(http().get('/schedules')).expect(403);
      await as(write)(http().post('/schedules')).send(body).expect(201);
    });
  });

  describe('the database failing around the watch row', () => {
    const lost = () => new Error('Connection terminated unexpectedly');
    const watchOf = () => jest.spyOn(t.app.get(ScheduleWatchRepository), 'watch');
    afterEach(() => jest.restoreAllMocks());

    it('answers 503 and writes no schedule when the watch row cannot be written before the insert', async () => {
      const client = await tenantClient(t);
      const target = await createTarget(client);
      watchOf().mockRejectedValueOnce(lost());
      const res = await client.post('/schedules', { name: 'lost', cron: YEARLY, job: { targetId: target.id, type: 'x' } }).expect(503);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: 'Database unavailable' });
      expect(await scheduleCount(client)).toBe(0);
      expect(await watchRow(client.id)).toBeUndefined();
      // Once the database answers again, the same request creates it.
      await client.post('/schedules', { name: 'lost', cron: YEARLY, job: { targetId: target.id, type: 'x' } }).expect(201);
      expect(await scheduleCount(client)).toBe(1);
    });

    it('answers 201 when only the write after the commit fails: the row written before it keeps the schedule watched', async () => {
      const client = await tenantClient(t);
      const target = await createTarget(client);
      const repository = t.app.get(ScheduleWatchRepository);
      const real = repository.watch.bind(repository);
      const watch = watchOf().mockImplementationOnce(real).mockRejectedValueOnce(lost());
      const schedule = await create(client, { job: { targetId: target.id, type: 'x' } });
      expect(watch).toHaveBeenCalledTimes(2);
      expect((await watchRow(client.id))!.runAt.toISOString()).toBe(schedule.nextRunAt);
    });

    it('watches the tenant before an update that enables a schedule, so a failure there leaves it disabled', async () => {
      const client = await tenantClient(t);
      const target = await createTarget(client);
      const schedule = await create(client, { enabled: false, job: { targetId: target.id, type: 'x' } });
      expect(await watchRow(client.id)).toBeUndefined();
      watchOf().mockRejectedValueOnce(lost());
      await client.patch(`/schedules/${schedule.id}`, { enabled: true }).expect(503);
      expect((await client.get(`/schedules/${schedule.id}`).expect(200)).body).toMatchObject({ enabled: false, nextRunAt: null });
      const enabled = (await client.patch(`/schedules/${schedule.id}`, { enabled: true }).expect(200)).body as ScheduleBody;
      expect((await watchRow(client.id))!.runAt.getTime()).toBeLessThanOrEqual(Date.parse(enabled.nextRunAt!));
    });
  });

  describe('the scheduler', () => {
    it('queues each occurrence exactly once with two instances ticking at the same time', async () => {
      const schedules = [await create(a, { name: 'x1' }), await create(a, { name: 'x2' }), await create(b, { name: 'y1', job: { targetId: (await createTarget(b)).id, type: 'scheduled' } })];
      const clientOf = (s: ScheduleBody) => (s.name.startsWith('y') ? b : a);
      const occurrences: Date[] = [];
      for (let round = 0; round < 6; round += 1) {
        const occurrence = pastMinute();
        occurrences.push(occurrence);
        for (const s of schedules) await dueAt(clientOf(s), s.id, occurrence);
        await tickBoth(4);
        for (const s of schedules) {
          const body = (await clientOf(s).get(`/schedules/${s.id}`).expect(200)).body as ScheduleBody;
          expect([body.lastRunAt, body.nextRunAt]).toEqual([occurrence.toISOString(), nextNewYear()]);
        }
      }
      for (const s of schedules) {
        const jobs = await jobsOf(clientOf(s), s.id);
        expect(jobs.map((job) => job.runAt.toISOString())).toEqual([...occurrences].sort((x, y) => +x - +y).map((d) => d.toISOString()));
        expect(jobs.every((job) => job.status === 'queued' && job.type === 'scheduled')).toBe(true);
      }
      // An occurrence queued before is not queued again, even when a schedule is made due for it once more.
      await dueAt(a, schedules[0].id, occurrences[0]);
      await tickBoth(2);
      expect(await jobsOf(a, schedules[0].id)).toHaveLength(occurrences.length);
      expect((await a.get(`/schedules/${schedules[0].id}`).expect(200)).body.nextRunAt).toBe(nextNewYear());
    });

    it('queues nothing while its tenant is deleted, and the missed occurrence once it is restored', async () => {
      const c = await tenantClient(t);
      const target = await createTarget(c);
      const schedule = (await c.post('/schedules', { name: 'nightly', cron: YEARLY, job: { targetId: target.id, type: 'held' } }).expect(201)).body;
      const at = pastMinute();
      await dueAt(c, schedule.id, at);
      const deletion = t.app.get(TenantDeletionService);
      await deletion.delete(c.id);
      await tickBoth(2);
      expect(await jobsOf(c, schedule.id)).toEqual([]);
      await deletion.restore(c.id);
      await tickBoth();
      expect((await jobsOf(c, schedule.id)).map((job) => job.runAt)).toEqual([at]);
    });

    it('queues one missed occurrence after downtime, then the next one after now', async () => {
      const DAY = 24 * HOUR;
      const schedule = await create(a, { cron: '0 0 * * *', job: { targetId, type: 'catch-up', payload: { n: 1 }, priority: -3, maxAttempts: 9 } });
      const fiveDaysAgo = new Date(Math.floor(Date.now() / DAY) * DAY - 5 * DAY);
      await dueAt(a, schedule.id, fiveDaysAgo); // five midnights were missed
      await tickBoth();
      const jobs = await jobsOf(a, schedule.id);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ runAt: fiveDaysAgo, type: 'catch-up', payload: { n: 1 }, priority: -3, maxAttempts: 9, targetId, sessionId: null });
      const after = (await a.get(`/schedules/${schedule.id}`).expect(200)).body as ScheduleBody;
      expect(after.lastRunAt).toBe(fiveDaysAgo.toISOString());
      const next = Date.parse(after.nextRunAt!);
      expect(next).toBe(Math.floor(Date.now() / DAY) * DAY + DAY); // the next midnight, UTC
      await tickBoth();
      expect(await jobsOf(a, schedule.id)).toHaveLength(1);
      // The job is an ordinary queued job, due now.
      expect((await a.get(`/jobs/${jobs[0].id}`).expect(200)).body).toMatchObject({ status: 'queued', runAt: fiveDaysAgo.toISOString() });
    });

    it('queues nothing for a disabled or deleted schedule, and forgets a tenant with no enabled schedule', async () => {
      const c = await tenantClient(t);
      const target = (await createTarget(c)).id;
      const job = { targetId: target, type: 'x' };
      const disabled = (await c.post('/schedules', { name: 'off', cron: YEARLY, enabled: false, job }).expect(201)).body;
      const toDisable = (await c.post('/schedules', { name: 'on', cron: YEARLY, job }).expect(201)).body;
      const toDelete = (await c.post('/schedules', { name: 'gone', cron: YEARLY, job }).expect(201)).body;
      await dueAt(c, toDisable.id, pastMinute());
      await dueAt(c, toDelete.id, pastMinute());
      await c.patch(`/schedules/${toDisable.id}`, { enabled: false }).expect(200);
      await c.delete(`/schedules/${toDelete.id}`).expect(204);
      expect(await watchRow(c.id)).toBeDefined();
      await tickBoth(2);
      expect(await c.count('jobs')).toBe(0);
      expect(await watchRow(c.id)).toBeUndefined();
      expect((await c.get(`/schedules/${disabled.id}`).expect(200)).body).toMatchObject({ enabled: false, nextRunAt: null, lastRunAt: null });
      // Enabled again, it is watched again and runs.
      await c.patch(`/schedules/${toDisable.id}`, { enabled: true }).expect(200);
      expect(await watchRow(c.id)).toBeDefined();
      await dueAt(c, toDisable.id, pastMinute());
      await tickBoth();
      expect(await jobsOf(c, toDisable.id)).toHaveLength(1);
      expect(await jobsOf(c, disabled.id)).toHaveLength(0);
    });

    it('runs the schedules of a cloned tenant: the clone is watched from its creation', async () => {
      const source = await tenantClient(t);
      const sourceTarget = (await createTarget(source)).id;
      const schedule = (await source.post('/schedules', { name: 'copied', cron: YEARLY, job: { targetId: sourceTarget, type: 'cloned-run' } }).expect(201))
        .body as ScheduleBody;
      await source.sql(`UPDATE $schema."schedules" SET "next_run_at" = $1 WHERE "id" = $2`, [pastMinute(), schedule.id]);
      const cloned = await request(t.app.getHttpServer())
        .post('/tenants')
        .set('X-Admin-Key', TEST_ADMIN_KEY)
        .send({ name: 'Clone', slug: `clone-${Date.now().toString(36)}`, cloneFrom: source.id })
        .expect(201);
      expect(await watchRow(cloned.body.tenant.id)).toBeDefined();
      await tickBoth();
      const jobs = await request(t.app.getHttpServer()).get('/jobs').set('X-API-Key', cloned.body.apiKey).expect(200);
      expect(jobs.body.items.filter((job: { type: string }) => job.type === 'cloned-run')).toHaveLength(1);
    });

    it('wakes a waiting long-poll claim on another instance', async () => {
      const schedule = await create(a, { job: { targetId, type: 'wake-on-schedule' } });
      const waiting = request(second.getHttpServer())
        .post('/jobs/claim')
        .set('X-API-Key', a.apiKey)
        .send({ workerId: 'w', waitSeconds: 25, types: ['wake-on-schedule'] })
        .then((res) => res);
      const registry = second.get(JobWakeupsService) as unknown as { waiters: Map<string, Set<unknown>> };
      while ((registry.waiters.get(a.id)?.size ?? 0) < 1) await new Promise((resolve) => setTimeout(resolve, 10));
      await dueAt(a, schedule.id, pastMinute());
      await t.app.get(ScheduleRunnerService).tick();
      const res = await waiting;
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ type: 'wake-on-schedule', status: 'running', workerId: 'w' });
      expect((await jobsOf(a, schedule.id)).map((job) => job.id)).toEqual([res.body.id]);
    });

    it('ticks by itself every SCHEDULE_TICK_SECONDS', async () => {
      const ticking = await buildApp(t.databaseUrl, { SCHEDULE_TICK_SECONDS: '1' });
      try {
        const schedule = await create(b, { job: { targetId: (await createTarget(b)).id, type: 'timer' } });
        await dueAt(b, schedule.id, pastMinute());
        // No tick is called here: the instance's timer does it (the jest timeout bounds the wait).
        while ((await jobsOf(b, schedule.id)).length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await jobsOf(b, schedule.id)).toHaveLength(1);
      } finally {
        await closeApp(ticking.app);
      }
    });
  });
});
