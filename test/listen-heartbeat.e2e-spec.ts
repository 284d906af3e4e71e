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
async function silenceableRelay(target: URL): Promise<{ url: string; silence(): void; silenceNextListen(): void; close(): Promise<void> }> {
  const open = new Set<{ silent: boolean }>();
  const sockets = new Set<net.Socket>();
  let nextListenSilent = false;
  const server = net.createServer((inbound) => {
    const state = { silent: false };
    open.add(state);
    const outbound = net.connect(Number(target.port), target.hostname);
    // The next connection to send a LISTEN goes silent from that statement on (once opened, before it listens).
    inbound.on('data', (chunk) => {
      if (nextListenSilent && chunk.includes('LISTEN')) [nextListenSilent, state.silent] = [false, true];
    });
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
    silenceNextListen: () => (nextListenSilent = true),
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

  /** A key regenerated on the first instance is refused on B once B hears of it: B's listener works again. */
  const expectRegenerationHeardOnB = async (tenantId: string, apiKey: string) => {
    const heard = tenantChangeHeard(b, tenantId, 'key-regenerated');
    await request(t.app.getHttpServer()).post(`/tenants/${tenantId}/regenerate-api-key`).set('X-Admin-Key', TEST_ADMIN_KEY).expect(200);
    await heard;
    await request(b.getHttpServer()).get('/tenant-info').set('X-API-Key', apiKey).expect(401);
  };

  it('is found dead by its heartbeat and replaced, so changes made elsewhere are heard again', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { tenant, apiKey } = await t.createTenant();
      await request(b.getHttpServer()).get('/tenant-info').set('X-API-Key', apiKey).expect(200); // cached on B for an hour
      const resynced = new Promise<void>((resolve) => b.get(TenantEventsService).subscribe((change) => change === 'resync' && resolve()));
      relay.silence(); // no error, no close: only a statement that gets no answer tells
      await resynced;
      await expectRegenerationHeardOnB(tenant.id, apiKey);
    } finally {
      warn.mockRestore();
    }
  });

  it('is replaced again when the reconnection itself meets a silent peer at its LISTEN', async () => {
    const warnings: string[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message) => void warnings.push(String(message)));
    try {
      const { tenant, apiKey } = await t.createTenant();
      await request(b.getHttpServer()).get('/tenant-info').set('X-API-Key', apiKey).expect(200);
      const resynced = new Promise<void>((resolve) => b.get(TenantEventsService).subscribe((change) => change === 'resync' && resolve()));
      relay.silenceNextListen(); // the reconnection's LISTEN gets no answer, and neither does anything after it
      relay.silence();
      await resynced;
      expect(warnings.some((message) => message.includes('reconnect failed: Query read timeout'))).toBe(true);
      await expectRegenerationHeardOnB(tenant.id, apiKey);
    } finally {
      warn.mockRestore();
    }
  });
});
