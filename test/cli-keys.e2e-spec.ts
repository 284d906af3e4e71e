import request from 'supertest';
import { runCli } from './utils/cli-run';
import { createTestApp, TestApp } from './utils/test-app';

describe('admin CLI: keys and audit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const cli = (...args: string[]) => runCli(t, ...args);

  const info = (key: string) => request(t.app.getHttpServer()).get('/tenant-info').set('X-API-Key', key);

  it('keys create / list / rotate / revoke, each with --json, and the keys work as printed', async () => {
    const { tenant } = await t.createTenant();
    const created = await cli('keys', 'create', tenant.slug, '--name', 'ci', '--scope', 'read', '--scope', 'worker', '--expires-at', '2099-01-01T00:00:00Z', '--json');
    expect(created.exitCode).toBe(0);
    const { key, apiKey } = JSON.parse(created.stdout);
    expect(key).toMatchObject({ name: 'ci', scopes: ['read', 'worker'], expiresAt: '2099-01-01T00:00:00.000Z' });
    expect((await info(apiKey).expect(200)).body.key.scopes).toEqual(['read', 'worker']);

    const listed = await cli('keys', 'list', tenant.slug, '--json');
    expect(JSON.parse(listed.stdout).map((k: { name: string }) => k.name)).toEqual(['ci', 'default']);
    expect(listed.stdout).not.toMatch(/pbkdf2|hash/);
    const table = await cli('keys', 'list', tenant.id);
    expect(table.stdout).toMatch(new RegExp(`tnt_${key.id}\\s+ci\\s+read,worker\\s+live`));

    const rotated = await cli('keys', 'rotate', tenant.slug, key.id, '--grace', '1h', '--json');
    const next = JSON.parse(rotated.stdout);
    expect(next.key).toMatchObject({ name: 'ci', scopes: ['read', 'worker'] });
    await info(apiKey).expect(200); // in its grace period
    await info(next.apiKey).expect(200);
    const graced = JSON.parse((await cli('keys', 'list', tenant.slug, '--json')).stdout).find((k: { id: string }) => k.id === key.id);
    expect(Date.parse(graced.graceUntil) - Date.parse(graced.revokedAt)).toBe(3_600_000);

    const revoked = await cli('keys', 'revoke', tenant.slug, next.key.id, '--json');
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: next.key.id });
    await info(next.apiKey).expect(401);
    const human = await cli('keys', 'revoke', tenant.slug, key.id);
    expect(human.stdout).toBe(`Revoked key ${key.id}.`);
    await info(apiKey).expect(401);
  });

  it.each([
    [['keys', 'create', 'SLUG', '--scope', 'read'], /--name is required/, 2],
    [['keys', 'create', 'SLUG', '--name', 'x', '--scope', 'admin'], /scopes must each be one of/, 2],
    [['keys', 'create', 'SLUG', '--name', 'x', '--expires-at', '2099-01-01T00:00:00'], /--expires-at must be an ISO 8601 date-time with an offset/, 2],
    [['keys', 'rotate', 'SLUG', 'AAAAAAAAAAAA', '--grace', 'soon'], /--grace must be a duration/, 2],
    [['keys', 'revoke', 'SLUG', 'AAAAAAAAAAAA'], /API key not found/, 1],
    [['keys', 'list', 'no-such-tenant'], /Tenant not found/, 1],
  ])('refuses %j with a message and a non-zero exit', async (args, message, exitCode) => {
    const { tenant } = await t.createTenant();
    const run = await cli(...args.map((a) => (a === 'SLUG' ? tenant.slug : a)));
    expect(run.stderr).toMatch(message);
    expect(run.exitCode).toBe(exitCode);
  });

  it('audit <tenant> lists the events newest first, with actor cli for CLI changes', async () => {
    const { tenant } = await t.createTenant();
    await cli('keys', 'create', tenant.slug, '--name', 'audited');
    const run = await cli('audit', tenant.slug, '--json');
    expect(run.exitCode).toBe(0);
    const events = JSON.parse(run.stdout);
    expect(events.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['key.created', 'cli'],
      ['tenant.created', 'system'],
    ]);
    const table = await cli('audit', tenant.slug);
    expect(table.stdout).toMatch(/key\.created/);
    expect((await cli('audit', tenant.slug, '--limit', '0')).exitCode).not.toBe(0);
  });
});
