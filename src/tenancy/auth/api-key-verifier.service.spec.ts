import { crc32 } from 'node:zlib';
import { InvalidApiKeyError, TenantDeactivatedError, TenantDeletedError, TooManyAttemptsError } from './auth.errors';
import { validateEnvironment } from '../../config/environment-variables';
import { generateApiKey, toBase62 } from './api-key';
import * as hasher from './api-key-hasher';
import { ApiKeyVerifierService } from './api-key-verifier.service';
import type { ApiKeysRepository, LiveKeyRow } from './api-keys.repository';
import type { AuthFailuresRepository, FailureCount } from './auth-failures.repository';
import { AuthThrottle } from './auth-throttle';
import { LastUsedRecorder } from './last-used-recorder';
import type { TenantChange, TenantEventsService } from '../registry/tenant-events.service';

type Listener = (change: TenantChange | 'resync') => void;

/** The keys table behind a fake repository that counts lookups and can hold them open. */
class FakeKeys {
  readonly rows = new Map<string, LiveKeyRow>();
  lookups = 0;
  tagsStored = 0;
  private gate?: Promise<void>;
  readonly repository = {
    findLive: async (keyId: string) => {
      this.lookups += 1;
      const row = this.rows.get(keyId);
      const snapshot = row ? { ...row } : null; // what the SELECT saw
      if (this.gate) await this.gate;
      return snapshot;
    },
    setCheckTag: async (keyId: string, tag: string) => {
      this.tagsStored += 1;
      const row = this.rows.get(keyId);
      if (row && row.checkTag === null) row.checkTag = tag;
    },
    touchLastUsed: async () => undefined,
  } as unknown as ApiKeysRepository;

  /** Lookups started from now on wait until the returned function is called. */
  hold(): () => void {
    let open!: () => void;
    this.gate = new Promise((resolve) => (open = resolve));
    return () => {
      this.gate = undefined;
      open();
    };
  }

  async add(overrides: Partial<LiveKeyRow> = {}, options: { tagged?: boolean } = {}): Promise<{ row: LiveKeyRow; key: string }> {
    const key = generateApiKey();
    const hash = await hasher.hashApiKey(key.key, hasher.MIN_ITERATIONS);
    const row: LiveKeyRow = {
      id: key.keyId,
      name: 'default',
      scopes: ['read', 'write', 'worker'],
      hash,
      checkTag: options.tagged === false ? null : hasher.checkTag(key.key, hash),
      expiresAt: null,
      validForMs: null,
      tenantId: `00000000-0000-4000-8000-${String(this.rows.size + 1).padStart(12, '0')}`,
      tenantName: 'Acme',
      slug: 'acme',
      schemaName: 'tenant_acme',
      isActive: true,
      isDeleted: false,
      tenantCreatedAt: new Date('2025-01-01T00:00:00Z'),
      rateLimitRps: null,
      rateLimitBurst: null,
      ...overrides,
    };
    this.rows.set(row.id, row);
    return { row, key: key.key };
  }
}

/** shared.auth_failures in memory: fixed windows, like the SQL. */
class FakeFailures {
  readonly counts = new Map<string, { failures: number; endsAt: number }>();
  readonly repository = {
    read: async (subjects: string[]) => {
      const out = new Map<string, FailureCount>();
      for (const subject of subjects) {
        const count = this.counts.get(subject);
        if (count && count.endsAt > Date.now()) {
          out.set(subject, { failures: count.failures, retryAfterSeconds: Math.max(1, Math.ceil((count.endsAt - Date.now()) / 1000)) });
        }
      }
      return out;
    },
    record: async (subjects: string[], windowSeconds: number) => {
      const out = new Map<string, FailureCount>();
      for (const subject of subjects) {
        const count = this.counts.get(subject);
        if (!count || count.endsAt <= Date.now()) this.counts.set(subject, { failures: 1, endsAt: Date.now() + windowSeconds * 1000 });
        else count.failures += 1;
        const now = this.counts.get(subject)!;
        out.set(subject, { failures: now.failures, retryAfterSeconds: Math.max(1, Math.ceil((now.endsAt - Date.now()) / 1000)) });
      }
      return out;
    },
    purgeExpired: async () => undefined,
  } as unknown as AuthFailuresRepository;
}

function setup(env: Record<string, string> = {}) {
  const keys = new FakeKeys();
  const failures = new FakeFailures();
  const listeners: Listener[] = [];
  const events = { subscribe: (listener: Listener) => listeners.push(listener) } as unknown as TenantEventsService;
  const config = validateEnvironment({ AUTH_FAILURE_LIMIT: '1000', ...env });
  const throttle = new AuthThrottle(config, failures.repository);
  const verifier = new ApiKeyVerifierService(config, keys.repository, throttle, new LastUsedRecorder(keys.repository), events);
  const notify = (change: TenantChange | 'resync') => listeners.forEach((listener) => listener(change));
  return { keys, failures, verifier, notify };
}

/**
 * Moves performance.now(), the clock the auth caches count their TTLs by, `ms` ahead, as if that long had
 * passed (restored after each test). lru-cache reuses a reading for 1 ms, hence the short real wait.
 */
async function elapse(ms: number): Promise<void> {
  const now = performance.now.bind(performance);
  jest.spyOn(performance, 'now').mockImplementation(() => now() + ms);
  await new Promise((resolve) => setTimeout(resolve, 5));
}

/** A well-formed key (valid checksum) for the key id of `key`, with a made-up secret. */
function forged(key: string, secretChar: string): string {
  const body = key.slice(0, 17) + secretChar.repeat(43);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.from(body, 'ascii')));
  return body + toBase62(crc, 6);
}

describe('ApiKeyVerifierService', () => {
  let verifySpy: jest.SpyInstance;

  beforeEach(() => {
    verifySpy = jest.spyOn(hasher, 'verifyApiKey');
  });
  afterEach(() => jest.restoreAllMocks());

  it('refuses a malformed key without any lookup or PBKDF2', async () => {
    const { keys, verifier } = setup();
    const { key } = await keys.add();
    for (const presented of ['nonsense', `${key}x`, key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a'), "tnt_' OR 1=1 --"]) {
      await expect(verifier.verify(presented, '10.0.0.1')).rejects.toThrow(InvalidApiKeyError);
    }
    expect(keys.lookups).toBe(0);
    expect(verifySpy).not.toHaveBeenCalled();
  });

  it('resolves a valid key to the tenant and the calling key, without key material', async () => {
    const { keys, verifier } = setup();
    const { row, key } = await keys.add({ name: 'ci', scopes: ['read'] });
    const identity = await verifier.verify(key, '10.0.0.1');
    expect(identity).toEqual({
      id: row.tenantId,
      name: row.tenantName,
      slug: row.slug,
      schemaName: row.schemaName,
      isActive: true,
      isDeleted: false,
      createdAt: row.tenantCreatedAt,
      rateLimit: null,
      key: { id: row.id, name: 'ci', scopes: ['read'], expiresAt: null },
    });
    expect(JSON.stringify(identity)).not.toMatch(/pbkdf2|hash|checkTag/);
  });

  it("carries the tenant's own rate limit with the identity (the guard reads it with no I/O)", async () => {
    const { keys, verifier } = setup();
    const { key } = await keys.add({ rateLimitRps: 5, rateLimitBurst: 12 });
    expect((await verifier.verify(key, '10.0.0.1')).rateLimit).toEqual({ requestsPerSecond: 5, burst: 12 });
  });

  it('caches a verified key: the next verifications do no lookup and no PBKDF2', async () => {
    const { keys, verifier } = setup();
    const { key } = await keys.add();
    await verifier.verify(key, '10.0.0.1');
    for (let i = 0; i < 5; i++) await verifier.verify(key, '10.0.0.1');
    expect(keys.lookups).toBe(1);
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  it('runs one lookup and one PBKDF2 for 10 concurrent verifications of the same key', async () => {
    const { keys, verifier } = setup();
    const { row, key } = await keys.add();
    const results = await Promise.all(Array.from({ length: 10 }, () => verifier.verify(key, '10.0.0.1')));
    expect(results.every((identity) => identity.id === row.tenantId)).toBe(true);
    expect(keys.lookups).toBe(1);
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  it('refuses a wrong secret by the check tag, without PBKDF2, like an unknown key id', async () => {
    const { keys, failures, verifier } = setup();
    const { key } = await keys.add();
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 5 }, (_, i) => verifier.verify(forged(key, 'abcde'[i]), '10.0.0.1')),
      verifier.verify(generateApiKey().key, '10.0.0.1'),
    ]);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof InvalidApiKeyError)).toBe(true);
    expect(outcomes.map((o) => (o as PromiseRejectedResult).reason.message)).toEqual(Array(6).fill('Invalid API key'));
    expect(verifySpy).not.toHaveBeenCalled();
    // Every failure is counted for the client and the key id.
    expect(failures.counts.get('ip:10.0.0.1')?.failures).toBe(6);
    expect(failures.counts.get(`key:${key.slice(4, 16)}`)?.failures).toBe(5);
  });

  it('refuses a deactivated tenant with a 403-kind error, from the cache until the tenant changes', async () => {
    const { keys, verifier, notify } = setup();
    const { row, key } = await keys.add({ isActive: false });
    await expect(verifier.verify(key, '10.0.0.1')).rejects.toThrow(TenantDeactivatedError);
    await expect(verifier.verify(key, '10.0.0.1')).rejects.toThrow(TenantDeactivatedError);
    expect(keys.lookups).toBe(1);
    keys.rows.get(row.id)!.isActive = true;
    notify({ tenantId: row.tenantId, schemaName: row.schemaName, reason: 'updated' });
    await expect(verifier.verify(key, '10.0.0.1')).resolves.toMatchObject({ id: row.tenantId, isActive: true });
    expect(keys.lookups).toBe(2);
  });

  it('refuses a deleted tenant with a 403-kind error, and admits the same key again once restored', async () => {
    const { keys, verifier, notify } = setup();
    const { row, key } = await keys.add({ isDeleted: true, isActive: false });
    await expect(verifier.verify(key, '10.0.0.1')).rejects.toThrow(TenantDeletedError);
    await expect(verifier.verify(key, '10.0.0.1')).rejects.toThrow(TenantDeletedError);
    expect(keys.lookups).toBe(1);
    keys.rows.get(row.id)!.isDeleted = false;
    keys.rows.get(row.id)!.isActive = true;
    notify({ tenantId: row.tenantId, schemaName: row.schemaName, reason: 'restored' });
    await expect(verifier.verify(key, '10.0.0.1')).resolves.toMatchObject({ id: row.tenantId, isDeleted: false });
    expect(keys.lookups).toBe(2);
  });

  it('drops the cached keys of a tenant when it changes, and all keys on a resync', async () => {
    const { keys, verifier, notify } = setup();
    const a = await keys.add();
    const b = await keys.add();
    await verifier.verify(a.key, 'c');
    await verifier.verify(b.key, 'c');
    notify({ tenantId: a.row.tenantId, schemaName: a.row.schemaName, reason: 'key-revoked' });
    keys.rows.delete(a.row.id); // revoked: no longer a live key
    await expect(verifier.verify(a.key, 'c')).rejects.toThrow(InvalidApiKeyError);
    await verifier.verify(b.key, 'c');
    expect(keys.lookups).toBe(3); // a, b, a again; b still cached
    notify('resync');
    await verifier.verify(b.key, 'c');
    expect(keys.lookups).toBe(4);
  });

  /** A verification whose lookup has read the key's row and is held open (`open` lets it go); then the key is revoked. */
  async function revokedDuringLookup() {
    const { keys, verifier, notify } = setup();
    const { row, key } = await keys.add();
    const open = keys.hold();
    const before = verifier.verify(key, 'c');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(keys.lookups).toBe(1);
    notify({ tenantId: row.tenantId, schemaName: row.schemaName, reason: 'key-revoked' });
    keys.rows.delete(row.id);
    return { keys, verifier, key, before, open };
  }

  it('does not cache a lookup that raced with a change notification for the tenant', async () => {
    const { verifier, key, before, open } = await revokedDuringLookup();
    open();
    await before; // that request began before the change: it may pass
    await expect(verifier.verify(key, 'c')).rejects.toThrow(InvalidApiKeyError);
  });

  it('does not answer a verification begun after a change notification with a lookup begun before it', async () => {
    const { keys, verifier, key, before, open } = await revokedDuringLookup();
    const after = expect(verifier.verify(key, 'c')).rejects.toThrow(InvalidApiKeyError);
    open();
    await before; // began before the change: it may pass
    await after;
    expect(keys.lookups).toBe(2);
  });

  it('caches a key no longer than until it stops working (expiry or end of grace)', async () => {
    // The key works for a minute of the hour the cache would keep it: a minute, not 300 ms, so that a slow PBKDF2
    // on a busy machine cannot use its life up before the second verification (the clock is moved, not waited on).
    const { keys, verifier } = setup({ AUTH_CACHE_TTL_SECONDS: '3600' });
    const { row, key } = await keys.add({ validForMs: 60_000 });
    await verifier.verify(key, 'c');
    await verifier.verify(key, 'c');
    expect(keys.lookups).toBe(1);
    keys.rows.delete(row.id); // past its grace period, the database no longer finds it
    await elapse(61_000);
    await expect(verifier.verify(key, 'c')).rejects.toThrow(InvalidApiKeyError);
  });

  it('re-admits a known key after the TTL by reading the row, without PBKDF2 while its hash is unchanged', async () => {
    const { keys, verifier } = setup({ AUTH_CACHE_TTL_SECONDS: '1' });
    const { key } = await keys.add();
    await verifier.verify(key, 'c');
    await elapse(1_100);
    await expect(verifier.verify(key, 'c')).resolves.toMatchObject({ isActive: true });
    expect(keys.lookups).toBe(2);
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  describe('a key moved from the one-key schema (no check tag yet)', () => {
    it('is verified by PBKDF2 once, and its check tag is stored then', async () => {
      const { keys, verifier } = setup();
      const { row, key } = await keys.add({}, { tagged: false });
      await expect(verifier.verify(key, 'c')).resolves.toMatchObject({ id: row.tenantId });
      expect(keys.tagsStored).toBe(1);
      expect(keys.rows.get(row.id)!.checkTag).toBe(hasher.checkTag(key, row.hash));
    });

    it('spends at most AUTH_FAILURE_LIMIT derivations per key id on wrong secrets, from any number of clients', async () => {
      const { keys, verifier } = setup({ AUTH_FAILURE_LIMIT: '3' });
      const { key } = await keys.add({}, { tagged: false });
      const outcomes = [];
      for (let i = 0; i < 10; i++) outcomes.push(await verifier.verify(forged(key, 'abcdefghij'[i]), `attacker-${i}`).catch((e: Error) => e.constructor));
      expect(outcomes.slice(0, 3)).toEqual(Array(3).fill(InvalidApiKeyError));
      expect(outcomes.slice(3)).toEqual(Array(7).fill(TooManyAttemptsError));
      expect(verifySpy).toHaveBeenCalledTimes(3);
    });
  });

  describe('throttling', () => {
    it('never lets failures from other clients on a key id refuse the true key, even uncached', async () => {
      const { keys, verifier } = setup({ AUTH_FAILURE_LIMIT: '2' });
      const { key } = await keys.add();
      for (let i = 0; i < 10; i++) {
        await expect(verifier.verify(forged(key, 'abcdefghij'[i]), `attacker-${i}`)).rejects.toThrow(InvalidApiKeyError);
      }
      // A fresh process (no cache, nothing known) admits the owner's key.
      await expect(verifier.verify(key, 'owner')).resolves.toMatchObject({ isActive: true });
      expect(verifySpy).toHaveBeenCalledTimes(1);
    });

    it('tells listeners once when a key id reaches the limit', async () => {
      const { keys, verifier } = setup({ AUTH_FAILURE_LIMIT: '2' });
      const { row, key } = await keys.add();
      const began: Array<[string, string | null]> = [];
      verifier.onKeyThrottled((keyId, tenantId) => began.push([keyId, tenantId]));
      for (let i = 0; i < 4; i++) await verifier.verify(forged(key, 'abcd'[i]), `attacker-${i}`).catch(() => undefined);
      expect(began).toEqual([[row.id, row.tenantId]]);
    });

    it('answers 429-kind errors once a client has failed the limit, before any lookup or PBKDF2', async () => {
      const { keys, verifier } = setup({ AUTH_FAILURE_LIMIT: '3' });
      const { key } = await keys.add();
      for (let i = 0; i < 3; i++) {
        await expect(verifier.verify(generateApiKey().key, '10.0.0.9')).rejects.toThrow(InvalidApiKeyError);
      }
      expect(keys.lookups).toBe(3);
      const error = await verifier.verify(generateApiKey().key, '10.0.0.9').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TooManyAttemptsError);
      expect((error as TooManyAttemptsError).retryAfterSeconds).toBeGreaterThan(0);
      // Malformed keys and even a valid uncached key wait too (a throttled client gets no more answers).
      await expect(verifier.verify('garbage', '10.0.0.9')).rejects.toThrow(TooManyAttemptsError);
      await expect(verifier.verify(key, '10.0.0.9')).rejects.toThrow(TooManyAttemptsError);
      expect(keys.lookups).toBe(3);
      expect(verifySpy).not.toHaveBeenCalled();
    });

    it('counts a revoked key as a failure even after it was verified and cached', async () => {
      const { keys, verifier, notify } = setup({ AUTH_FAILURE_LIMIT: '2' });
      const { row, key } = await keys.add();
      await verifier.verify(key, 'ip-1');
      keys.rows.delete(row.id);
      notify({ tenantId: row.tenantId, schemaName: row.schemaName, reason: 'key-revoked' });
      await expect(verifier.verify(key, 'ip-1')).rejects.toThrow(InvalidApiKeyError);
      await expect(verifier.verify(key, 'ip-1')).rejects.toThrow(InvalidApiKeyError);
      await expect(verifier.verify(key, 'ip-1')).rejects.toThrow(TooManyAttemptsError);
      expect(verifySpy).toHaveBeenCalledTimes(1);
    });

    it('refuses wrong secrets on a key id read lately with no lookup, counting each, and 429 once the client is over', async () => {
      const { keys, failures, verifier } = setup({ AUTH_FAILURE_LIMIT: '3' });
      const { row, key } = await keys.add();
      await expect(verifier.verify(forged(key, 'a'), 'attacker-0')).rejects.toThrow(InvalidApiKeyError);
      expect(keys.lookups).toBe(1);
      for (let i = 1; i < 20; i++) {
        await expect(verifier.verify(forged(key, 'abcdefghijklmnopqrst'[i]), `attacker-${i}`)).rejects.toThrow(InvalidApiKeyError);
      }
      expect(keys.lookups).toBe(1);
      expect(failures.counts.get(`key:${row.id}`)?.failures).toBe(20);
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push(await verifier.verify(forged(key, 'wxyz'[i]), 'one-client').catch((e: Error) => e.constructor));
      expect(outcomes).toEqual([InvalidApiKeyError, InvalidApiKeyError, InvalidApiKeyError, TooManyAttemptsError]);
      // The true key still passes, and the flood spent no PBKDF2 on the wrong secrets.
      await expect(verifier.verify(key, 'owner')).resolves.toMatchObject({ id: row.tenantId });
      expect(verifySpy).toHaveBeenCalledTimes(1);
    });

    it('drops held key rows when the tenant changes, so a revoked key is read again and refused', async () => {
      const { keys, verifier, notify } = setup();
      const { row, key } = await keys.add();
      await expect(verifier.verify(forged(key, 'a'), 'c')).rejects.toThrow(InvalidApiKeyError);
      keys.rows.delete(row.id);
      notify({ tenantId: row.tenantId, schemaName: row.schemaName, reason: 'key-revoked' });
      await expect(verifier.verify(key, 'c')).rejects.toThrow(InvalidApiKeyError);
      expect(keys.lookups).toBe(2);
      expect(verifySpy).not.toHaveBeenCalled();
    });

    it('still serves a cached valid key to a client that is throttled', async () => {
      const { keys, verifier } = setup({ AUTH_FAILURE_LIMIT: '1' });
      const { key } = await keys.add();
      await verifier.verify(key, 'ip-1');
      await expect(verifier.verify('garbage', 'ip-1')).rejects.toThrow(InvalidApiKeyError);
      await expect(verifier.verify('garbage', 'ip-1')).rejects.toThrow(TooManyAttemptsError);
      await expect(verifier.verify(key, 'ip-1')).resolves.toMatchObject({ isActive: true });
    });
  });
});
