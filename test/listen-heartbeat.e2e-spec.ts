import { Logger } from '@nestjs/common';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { TenantEventsService } from '../src/tenancy/registry/tenant-events.service';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, type TestApp } from './utils/test-app';
import { tenantChangeHeard } from './utils/tenant-change-heard';

/**
 * A TCP relay to the database whose open connections can go silent (bytes swallowed, nothing closed): what a
 * database host that died without a reset, or a NAT that dropped the flow, leaves a client with. New
 * connections are relayed as before.
 */
async function silenceableRelay(target: URL): Promise<{ url: string; silence(): void; close(): Promise<void> }> {
  const open = new Set<{ silent: boolean }>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const state = { silent: false };
    open.add(state);
    const outbound = net.connect(Number(target.port), target.hostname);
    for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
      sockets.add(from);
      from.on('data', (chunk) => state.silent || to.write(chunk));
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.href);
  url.port = String((server.address() as AddressInfo).port);
  url.hostname = '127.0.0.1';
  return {
    url: url.href,
    silence: () => open.forEach((state) => (state.silent = true)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('the LISTEN connection gone silent', () => {
  let t: TestApp;
  let relay: Awaited<ReturnType<typeof silenceableRelay>>;
  let b: NestExpressApplication;

  beforeAll(async () => {
    t = await createTestApp();
    relay = await silenceableRelay(new URL(t.databaseUrl));
    // Instance B listens through the relay; its pools go straight to the database.
    ({ app: b } = await buildApp(t.databaseUrl, { DATABASE_DIRECT_URL: relay.url, LISTEN_HEARTBEAT_SECONDS: '1', AUTH_CACHE_TTL_SECONDS: '3600' }));
  });
  afterAll(async () => {
    if (b) await closeApp(b);
    await relay?.close();
    await t?.close();
  });

  it('is found dead by its heartbeat and replaced, so changes made elsewhere are heard again', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { tenant, apiKey } = await t.createTenant();
      await request(b.getHttpServer()).get('/tenant-info').set('X-API-Key', apiKey).expect(200); // cached on B for an hour
      const resynced = new Promise<void>((resolve) => b.get(TenantEventsService).subscribe((change) => change === 'resync' && resolve()));
      relay.silence(); // no error, no close: only a statement that gets no answer tells
      await resynced;
      const heard = tenantChangeHeard(b, tenant.id, 'key-regenerated');
      await request(t.app.getHttpServer()).post(`/tenants/${tenant.id}/regenerate-api-key`).set('X-Admin-Key', TEST_ADMIN_KEY).expect(200);
      await heard;
      await request(b.getHttpServer()).get('/tenant-info').set('X-API-Key', apiKey).expect(401);
    } finally {
      warn.mockRestore();
    }
  });
});
