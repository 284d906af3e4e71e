import type { TestApp } from '../utils/test-app';
import {
  createSession,
  createTarget,
  ISO,
  listAll,
  MISSING_ID,
  SessionBody,
  TenantClient,
  tenantClient,
  tenantWithTarget,
  UUID,
} from '../utils/domain-fixtures';

describe('sessions', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    ({ t, a, targetId } = await tenantWithTarget());
  });
  afterAll(async () => {
    await t?.close();
  });

  const expire = (id: string) =>
    a.sql(`UPDATE $schema."sessions" SET "expires_at" = now() - interval '1 second' WHERE "id" = $1`, [id]);

  describe('POST /sessions', () => {
    it('opens an active session without expiry by default (201)', async () => {
      const res = await a.post('/sessions', { targetId }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        targetId,
        status: 'active',
        metadata: {},
        expiresAt: null,
        closedAt: null,
        createdAt: expect.stringMatching(ISO),
        updatedAt: res.body.createdAt,
      });
    });

    it('sets expiresAt from ttlSeconds and keeps metadata', async () => {
      const res = await a.post('/sessions', { targetId, ttlSeconds: 604800, metadata: { who: 'alice' } }).expect(201);
      const expected = Date.parse(res.body.createdAt) + 604800 * 1000;
      expect(Date.parse(res.body.expiresAt)).toBe(expected);
      expect(res.body.metadata).toEqual({ who: 'alice' });
    });

    it('answers 404 for an unknown target and writes nothing', async () => {
      const before = await a.count('sessions');
      const res = await a.post('/sessions', { targetId: MISSING_ID }).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, message: 'Target not found' });
      expect(await a.count('sessions')).toBe(before);
    });

    it.each<[string, (targetId: string) => unknown]>([
      ['missing targetId', () => ({})],
      ['malformed targetId', () => ({ targetId: 'abc' })],
      ['ttlSeconds 0', (targetId) => ({ targetId, ttlSeconds: 0 })],
      ['ttlSeconds over a week', (targetId) => ({ targetId, ttlSeconds: 604801 })],
      ['ttlSeconds fractional', (targetId) => ({ targetId, ttlSeconds: 1.5 })],
      ['ttlSeconds as a string', (targetId) => ({ targetId, ttlSeconds: '60' })],
      ['metadata an array', (targetId) => ({ targetId, metadata: ['a'] })],
      ['metadata over 16 KiB', (targetId) => ({ targetId, metadata: { a: 'x'.repeat(16 * 1024) } })],
      ['status', (targetId) => ({ targetId, status: 'closed' })],
      ['expiresAt', (targetId) => ({ targetId, expiresAt: '2030-01-01T00:00:00.000Z' })],
      ['unknown field', (targetId) => ({ targetId, foo: 1 })],
    ])('answers 400 for %s and writes nothing', async (_case, body) => {
      const before = await a.count('sessions');
      await a.post('/sessions', body(targetId)).expect(400);
      expect(await a.count('sessions')).toBe(before);
    });
  });

  describe('GET /sessions/{id}', () => {
    it('shows expired once expiresAt has passed', async () => {
      const session = await createSession(a, targetId, { ttlSeconds: 60 });
      expect((await a.get(`/sessions/${session.id}`).expect(200)).body.status).toBe('active');
      await expire(session.id);
      expect((await a.get(`/sessions/${session.id}`).expect(200)).body.status).toBe('expired');
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      await a.get(`/sessions/${MISSING_ID}`).expect(404);
      await a.get('/sessions/xyz').expect(400);
    });
  });

  describe('PATCH /sessions/{id}', () => {
    it('replaces metadata', async () => {
      const session = await createSession(a, targetId, { metadata: { a: 1 } });
      const res = await a.patch(`/sessions/${session.id}`, { metadata: { b: 2 } }).expect(200);
      expect(res.body).toEqual({ ...session, metadata: { b: 2 }, updatedAt: expect.stringMatching(ISO) });
    });

    it.each<[string, unknown]>([
      ['an empty body', {}],
      ['metadata null', { metadata: null }],
      ['metadata a number', { metadata: 5 }],
      ['status', { metadata: {}, status: 'closed' }],
      ['targetId', { metadata: {}, targetId: MISSING_ID }],
    ])('answers 400 for %s and changes nothing', async (_case, body) => {
      const session = await createSession(a, targetId, { metadata: { keep: true } });
      await a.patch(`/sessions/${session.id}`, body).expect(400);
      expect((await a.get(`/sessions/${session.id}`).expect(200)).body).toEqual(session);
    });

    it('answers 404 for an unknown id', async () => {
      await a.patch(`/sessions/${MISSING_ID}`, { metadata: {} }).expect(404);
    });
  });

  describe('POST /sessions/{id}/close', () => {
    it('closes, and closing again is a no-op 200', async () => {
      const session = await createSession(a, targetId);
      const first = await a.post(`/sessions/${session.id}/close`).expect(200);
      expect(first.body).toMatchObject({ status: 'closed', closedAt: expect.stringMatching(ISO) });
      const second = await a.post(`/sessions/${session.id}/close`).expect(200);
      expect(second.body).toEqual(first.body);
    });

    it('closes an expired session', async () => {
      const session = await createSession(a, targetId, { ttlSeconds: 5 });
      await expire(session.id);
      const res = await a.post(`/sessions/${session.id}/close`).expect(200);
      expect(res.body.status).toBe('closed');
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      await a.post(`/sessions/${MISSING_ID}/close`).expect(404);
      await a.post('/sessions/1/close').expect(400);
    });
  });

  describe('GET /sessions', () => {
    it('lists newest first, by target and by status (active, closed, expired)', async () => {
      const c = await tenantClient(t);
      const t1 = (await createTarget(c)).id;
      const t2 = (await createTarget(c)).id;
      const open = await createSession(c, t1);
      const closed = await createSession(c, t1);
      const expired = await createSession(c, t2, { ttlSeconds: 30 });
      const later = await createSession(c, t2, { ttlSeconds: 3600 });
      await c.post(`/sessions/${closed.id}/close`).expect(200);
      await c.sql(`UPDATE $schema."sessions" SET "expires_at" = now() - interval '1 second' WHERE "id" = $1`, [
        expired.id,
      ]);

      const ids = (items: SessionBody[]) => items.map((s) => s.id);
      expect(ids(await listAll(c, '/sessions', 1))).toEqual([later.id, expired.id, closed.id, open.id]);
      expect(ids(await listAll(c, `/sessions?targetId=${t1}`))).toEqual([closed.id, open.id]);
      expect(ids(await listAll(c, '/sessions?status=active', 1))).toEqual([later.id, open.id]);
      expect(ids(await listAll(c, '/sessions?status=closed'))).toEqual([closed.id]);
      const expiredList = await listAll<SessionBody>(c, '/sessions?status=expired');
      expect(ids(expiredList)).toEqual([expired.id]);
      expect(expiredList[0].status).toBe('expired');
      expect(ids(await listAll(c, `/sessions?status=active&targetId=${t2}`))).toEqual([later.id]);
    });

    it.each([['status=open'], ['targetId=nope'], ['limit=1000'], ['cursor=%%%'], ['foo=bar']])(
      'answers 400 for ?%s',
      async (q) => {
        await a.get(`/sessions?${q}`).expect(400);
      },
    );
  });
});
