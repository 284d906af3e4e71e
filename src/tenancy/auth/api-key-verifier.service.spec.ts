import { crc32 } from 'node:zlib';
import type { DataSource } from 'typeorm';
import { InvalidApiKeyError, TenantDeactivatedError, TooManyAttemptsError } from './auth.errors';
import { validateEnvironment } from '../../config/environment-variables';
import { generateApiKey, toBase62 } from './api-key';
import * as hasher from './api-key-hasher';
import { ApiKeyVerifierService } from './api-key-verifier.service';
import type { Tenant } from '../registry/tenant.entity';
import type { TenantChange, TenantEventsService } from '../registry/tenant-events.service';

type Listener = (change: TenantChange | 'resync') => void;

/** A registry of tenants behind a fake repository that counts lookups and can hold them open. */
class FakeRegistry {
  readonly rows = new Map<string, Tenant>();
  lookups = 0;
  private gate?: Promise<void>;

  readonly dataSource = {
    getRepository: () => ({
      findOne: async ({ where }: { where: { apiKeyId: string } }) => {
        this.lookups += 1;
        const row = this.rows.get(where.apiKeyId);
        const snapshot = row ? { ...row } : null; // what the SELECT saw
        if (this.gate) await this.gate;
        return snapshot;
      },
    }),
  } as unknown as DataSource;

  /** Lookups started from now on wait until the returned function is called. */
  hold(): () => void {
    let open!: () => void;
    this.gate = new Promise((resolve) => (open = resolve));
    return () => {
      this.gate = undefined;
      open();
    };
  }

  async add(overrides: Partial<Tenant> = {}): Promise<{ tenant: Tenant; key: string }> {
    const key = generateApiKey();
    const tenant = {
      id: `00000000-0000-4000-8000-${String(this.rows.size + 1).padStart(12, '0')}`,
      name: 'Acme',
      slug: 'acme',
      schemaName: 'tenant_acme',
      isActive: true,
      apiKeyId: key.keyId,
      apiKeyHash: await hasher.hashApiKey(key.key, hasher.MIN_ITERATIONS),
      createdAt: new Date('2025-01-01T00:00:00Z'),
      updatedAt: new Date('2025-01-01T00:00:00Z'),
      ...overrides,
    } as Tenant;
    this.rows.set(tenant.apiKeyId, tenant);
    return { tenant, key: key.key };
  }
}

function setup(env: Record<string, string> = {}) {
  const registry = new FakeRegistry();
  const listeners: Listener[] = [];
  const events = { subscribe: (listener: Listener) => listeners.push(listener) } as unknown as TenantEventsService;
  const config = validateEnvironment({ AUTH_FAILURE_LIMIT: '1000', ...env });
  const verifier = new ApiKeyVerifierService(config, registry.dataSource, events);
  const notify = (change: TenantChange | 'resync') => listeners.forEach((listener) => listener(change));
  return { registry, verifier, notify };
}

describe('ApiKeyVerifierService', () => {
  let verifySpy: jest.SpyInstance;
  let burnSpy: jest.SpyInstance;

  beforeEach(() => {
    verifySpy = jest.spyOn(hasher, 'verifyApiKey');
    burnSpy = jest.spyOn(hasher, 'burnVerification');
  });
  afterEach(() => jest.restoreAllMocks());

  it('refuses a malformed key without any lookup or PBKDF2', async () => {
    const { registry, verifier } = setup();
    const { key } = await registry.add();
    for (const presented of ['nonsense', `${key}x`, key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a'), "tnt_' OR 1=1 --"]) {
      await expect(verifier.verify(presented, '10.0.0.1')).rejects.toThrow(InvalidApiKeyError);
    }
    expect(registry.lookups).toBe(0);
    expect(verifySpy).not.toHaveBeenCalled();
    expect(burnSpy).not.toHaveBeenCalled();
  });

  it('resolves a valid key to the tenant identity, without key material', async () => {
    const { registry, verifier } = setup();
    const { tenant, key } = await registry.add();
    const identity = await verifier.verify(key, '10.0.0.1');
    expect(identity).toEqual({
      id: tenant.id,
      name: tenant.name,
      slug: tenant.slug,
      schemaName: tenant.schemaName,
      isActive: true,
      createdAt: tenant.createdAt,
    });
    expect(JSON.stringify(identity)).not.toMatch(/pbkdf2|apiKey/);
  });

  it('caches a verified key: the next verifications do no lookup and no PBKDF2', async () => {
    const { registry, verifier } = setup();
    const { key } = await registry.add();
    await verifier.verify(key, '10.0.0.1');
    for (let i = 0; i < 5; i++) await verifier.verify(key, '10.0.0.1');
    expect(registry.lookups).toBe(1);
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  it('runs one lookup and one PBKDF2 for 10 concurrent verifications of the same key', async () => {
    const { registry, verifier } = setup();
    const { tenant, key } = await registry.add();
    const results = await Promise.all(Array.from({ length: 10 }, () => verifier.verify(key, '10.0.0.1')));
    expect(results.every((identity) => identity.id === tenant.id)).toBe(true);
    expect(registry.lookups).toBe(1);
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  it('shares the failure of one lookup among concurrent verifications of the same wrong key', async () => {
    const { registry, verifier } = setup();
    const { key } = await registry.add();
    const wrong = await registry.add();
    // Same key id, other secret: well-formed and checksummed, but not this tenant's key.
    registry.rows.set(key.slice(4, 16), { ...registry.rows.get(wrong.key.slice(4, 16))!, apiKeyId: key.slice(4, 16) });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => verifier.verify(key, '10.0.0.1')));
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof InvalidApiKeyError)).toBe(true);
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  it('spends a PBKDF2 on an unknown key id, like on a wrong secret, and answers the same error', async () => {
    const { registry, verifier } = setup();
    const unknown = generateApiKey().key;
    const error = await verifier.verify(unknown, '10.0.0.1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect((error as Error).message).toBe('Invalid API key');
    expect(registry.lookups).toBe(1);
    expect(burnSpy).toHaveBeenCalledTimes(1);
  });

  it('refuses a deactivated tenant with a 403-kind error, from the cache until the tenant changes', async () => {
    const { registry, verifier, notify } = setup();
    const { tenant, key } = await registry.add({ isActive: false });
    await expect(verifier.verify(key, '10.0.0.1')).rejects.toThrow(TenantDeactivatedError);
    await expect(verifier.verify(key, '10.0.0.1')).rejects.toThrow(TenantDeactivatedError);
    expect(registry.lookups).toBe(1);
    expect(verifySpy).toHaveBeenCalledTimes(1);
    // Reactivated: the notification evicts the entry and the next verification reads the row again.
    registry.rows.get(tenant.apiKeyId)!.isActive = true;
    notify({ tenantId: tenant.id, schemaName: tenant.schemaName, reason: 'updated' });
    await expect(verifier.verify(key, '10.0.0.1')).resolves.toMatchObject({ id: tenant.id, isActive: true });
    expect(registry.lookups).toBe(2);
  });

  it('refuses a cached key with a 403-kind error once its tenant is deactivated', async () => {
    const { registry, verifier, notify } = setup();
    const { tenant, key } = await registry.add();
    await verifier.verify(key, 'c');
    registry.rows.get(tenant.apiKeyId)!.isActive = false;
    notify({ tenantId: tenant.id, schemaName: tenant.schemaName, reason: 'updated' });
    await expect(verifier.verify(key, 'c')).rejects.toThrow(TenantDeactivatedError);
  });

  it('drops the cached keys of a tenant when it changes, and all keys on a resync', async () => {
    const { registry, verifier, notify } = setup();
    const a = await registry.add();
    const b = await registry.add();
    await verifier.verify(a.key, 'c');
    await verifier.verify(b.key, 'c');
    notify({ tenantId: a.tenant.id, schemaName: a.tenant.schemaName, reason: 'key-regenerated' });
    registry.rows.delete(a.tenant.apiKeyId); // the old key id is gone from the registry
    await expect(verifier.verify(a.key, 'c')).rejects.toThrow(InvalidApiKeyError);
    await verifier.verify(b.key, 'c');
    expect(registry.lookups).toBe(3); // a, b, a again; b still cached
    notify('resync');
    await verifier.verify(b.key, 'c');
    expect(registry.lookups).toBe(4);
  });

  it('does not cache a lookup that raced with a change notification for the tenant', async () => {
    const { registry, verifier, notify } = setup();
    const { tenant, key } = await registry.add();
    const open = registry.hold();
    const inFlight = verifier.verify(key, 'c'); // reads the row as it was before the regeneration
    await new Promise((resolve) => setImmediate(resolve));
    expect(registry.lookups).toBe(1);
    notify({ tenantId: tenant.id, schemaName: tenant.schemaName, reason: 'key-regenerated' });
    registry.rows.delete(tenant.apiKeyId);
    open();
    await inFlight; // that request began before the change: it may pass
    await expect(verifier.verify(key, 'c')).rejects.toThrow(InvalidApiKeyError);
  });

  it('re-verifies once the cache TTL has passed', async () => {
    const { registry, verifier } = setup({ AUTH_CACHE_TTL_SECONDS: '1' });
    const { key } = await registry.add();
    await verifier.verify(key, 'c');
    await verifier.verify(key, 'c');
    expect(registry.lookups).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await verifier.verify(key, 'c');
    expect(registry.lookups).toBe(2);
  });

  it('re-admits a known key after the TTL by reading the row, without PBKDF2 while its hash is unchanged', async () => {
    const { registry, verifier } = setup({ AUTH_CACHE_TTL_SECONDS: '1' });
    const { key } = await registry.add();
    await verifier.verify(key, 'c');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expect(verifier.verify(key, 'c')).resolves.toMatchObject({ isActive: true });
    expect(registry.lookups).toBe(2);
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  it('refuses a known key after the TTL once the stored hash has changed (regenerated key)', async () => {
    const { registry, verifier } = setup({ AUTH_CACHE_TTL_SECONDS: '1' });
    const { tenant, key } = await registry.add();
    await verifier.verify(key, 'c');
    registry.rows.set(tenant.apiKeyId, { ...tenant, apiKeyHash: await hasher.hashApiKey(generateApiKey().key, hasher.MIN_ITERATIONS) });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expect(verifier.verify(key, 'c')).rejects.toThrow(InvalidApiKeyError);
    expect(verifySpy).toHaveBeenCalledTimes(2);
  });

  describe('throttling', () => {
    it('does not let failures on a key id lock out a client whose key was verified before', async () => {
      const { registry, verifier } = setup({ AUTH_FAILURE_LIMIT: '2', AUTH_CACHE_TTL_SECONDS: '1' });
      const { key } = await registry.add();
      await verifier.verify(key, 'owner');
      // Someone who knows only the public key id sends well-formed keys with made-up secrets.
      const forged = (secretChar: string) => {
        const body = key.slice(0, 17) + secretChar.repeat(43);
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(Buffer.from(body, 'ascii')));
        return body + toBase62(crc, 6);
      };
      await expect(verifier.verify(forged('a'), 'attacker-1')).rejects.toThrow(InvalidApiKeyError);
      await expect(verifier.verify(forged('b'), 'attacker-2')).rejects.toThrow(InvalidApiKeyError);
      await expect(verifier.verify(forged('c'), 'attacker-3')).rejects.toThrow(TooManyAttemptsError);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await expect(verifier.verify(key, 'owner')).resolves.toMatchObject({ isActive: true });
      await expect(verifier.verify(forged('d'), 'attacker-4')).rejects.toThrow(TooManyAttemptsError);
    });


    it('answers 429-kind errors once a client has failed the limit, before any lookup or PBKDF2', async () => {
      const { registry, verifier } = setup({ AUTH_FAILURE_LIMIT: '3' });
      for (let i = 0; i < 3; i++) {
        await expect(verifier.verify(generateApiKey().key, '10.0.0.9')).rejects.toThrow(InvalidApiKeyError);
      }
      expect(registry.lookups).toBe(3);
      const error = await verifier.verify(generateApiKey().key, '10.0.0.9').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TooManyAttemptsError);
      expect((error as TooManyAttemptsError).retryAfterSeconds).toBeGreaterThan(0);
      expect(registry.lookups).toBe(3);
      expect(burnSpy).toHaveBeenCalledTimes(3);
      // Malformed keys count too, and are throttled the same way.
      await expect(verifier.verify('garbage', '10.0.0.9')).rejects.toThrow(TooManyAttemptsError);
    });

    it('throttles one key id across clients', async () => {
      const { registry, verifier } = setup({ AUTH_FAILURE_LIMIT: '2' });
      const { key } = await registry.add();
      const wrongSecret = await registry.add();
      registry.rows.set(key.slice(4, 16), { ...registry.rows.get(wrongSecret.key.slice(4, 16))!, apiKeyId: key.slice(4, 16) });
      await expect(verifier.verify(key, 'ip-1')).rejects.toThrow(InvalidApiKeyError);
      await expect(verifier.verify(key, 'ip-2')).rejects.toThrow(InvalidApiKeyError);
      await expect(verifier.verify(key, 'ip-3')).rejects.toThrow(TooManyAttemptsError);
      // Another client with another key is not affected.
      await expect(verifier.verify(wrongSecret.key, 'ip-3')).resolves.toMatchObject({ isActive: true });
    });

    it('still serves a cached valid key to a client that is throttled', async () => {
      const { registry, verifier } = setup({ AUTH_FAILURE_LIMIT: '1' });
      const { key } = await registry.add();
      await verifier.verify(key, 'ip-1');
      await expect(verifier.verify('garbage', 'ip-1')).rejects.toThrow(InvalidApiKeyError);
      await expect(verifier.verify('garbage', 'ip-1')).rejects.toThrow(TooManyAttemptsError);
      await expect(verifier.verify(key, 'ip-1')).resolves.toMatchObject({ isActive: true });
    });
  });
});
