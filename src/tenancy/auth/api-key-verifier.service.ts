import { hash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { EnvironmentVariables } from '../../config/environment-variables';
import { InvalidApiKeyError, TenantDeactivatedError, TenantDeletedError, TooManyAttemptsError } from './auth.errors';
import { API_KEY_LENGTH, parseApiKey, ParsedApiKey } from './api-key';
import { checkTag, verifyApiKey } from './api-key-hasher';
import { ApiKeysRepository, LiveKeyRow } from './api-keys.repository';
import { authMetrics } from './auth-metrics';
import { AuthThrottle, retryAfter } from './auth-throttle';
import type { FailureCount } from './auth-failures.repository';
import { LastUsedRecorder, UsedKey } from './last-used-recorder';
import { LiveKeyRows } from './live-key-rows';
import type { TenantIdentity } from './tenant-identity';
import { TenantEventsService } from '../registry/tenant-events.service';
import { tenantRateLimit } from '../registry/tenant-view';

interface CachedKey extends UsedKey {
  identity: TenantIdentity;
}

interface Verified {
  identity: TenantIdentity;
  /** Milliseconds until the key stops working (expiry, end of grace); null for never. */
  validForMs: number | null;
}

/** Told when a key id reaches the failure limit (throttling of it has begun). */
export type KeyThrottledListener = (keyId: string, tenantId: string | null) => void;

/**
 * Turns a presented API key into the tenant and key it belongs to.
 * - Malformed keys are refused with no lookup; a cached key (under a SHA-256 of the key, never the key) costs
 *   no I/O; the cache holds a key until the TTL, its expiry or the end of its grace period, or a change
 *   notification for its tenant, whichever comes first.
 * - On a cache miss the client's shared failure count is read first: a client over the limit waits (429).
 *   Exception: a secret that fails the check tag of a key row read lately (held like the keys, see LiveKeyRows) is
 *   a failure known with no I/O, so it costs only the counter write, whose answer says whether to wait (429).
 * - A wrong secret is refused by the key's check tag without PBKDF2, so no flood of failures, from any number of
 *   addresses, costs derivations, and none can lock a key out: the true key always passes the tag. Only keys
 *   moved from the one-key schema lack a tag until they are next verified; for them PBKDF2 runs at most
 *   AUTH_FAILURE_LIMIT times per window per key id, across instances.
 */
@Injectable()
export class ApiKeyVerifierService {
  private readonly logger = new Logger(ApiKeyVerifierService.name);
  private readonly cache: LRUCache<string, CachedKey>;
  private readonly ttlMs: number;
  /** Keys (by SHA-256) proven against a stored hash: re-admitted after the TTL without PBKDF2 while the hash is the same. */
  private readonly verifiedHashes: LRUCache<string, string>;
  private readonly rows: LiveKeyRows;
  /** Lookups in progress by cache key, each with the generation it began in. */
  private readonly inFlight = new Map<string, { generation: number; verified: Promise<Verified> }>();
  private readonly keyThrottledListeners: KeyThrottledListener[] = [];
  /** Bumped by every eviction, so a lookup that raced with a tenant change is neither cached nor joined after it. */
  private generation = 0;

  constructor(
    config: EnvironmentVariables,
    private readonly keys: ApiKeysRepository,
    private readonly throttle: AuthThrottle,
    private readonly lastUsed: LastUsedRecorder,
    events: TenantEventsService,
  ) {
    this.ttlMs = config.AUTH_CACHE_TTL_SECONDS * 1000;
    this.cache = new LRUCache({ max: config.AUTH_CACHE_MAX, ttl: this.ttlMs });
    this.verifiedHashes = new LRUCache({ max: config.AUTH_CACHE_MAX });
    this.rows = new LiveKeyRows(config.AUTH_CACHE_MAX, this.ttlMs);
    events.subscribe((change) => (change === 'resync' ? this.clearCache() : this.evictTenant(change.tenantId)));
  }

  onKeyThrottled(listener: KeyThrottledListener): void {
    this.keyThrottledListeners.push(listener);
  }

  /** @param client the caller's address, for throttling */
  async verify(presented: string, client: string): Promise<TenantIdentity> {
    const cacheKey = cacheKeyOf(presented);
    const cached = this.hitOf(cacheKey);
    if (cached) return cached;
    const parsed = parseApiKey(presented);
    return this.verifyUncached(parsed, parsed && cacheKey, `ip:${client}`);
  }

  /**
   * The tenant of a key in the cache — no I/O and no promise, the case of nearly every request — or null when
   * `verify` must look it up. Throws as `verify` does for a deactivated or deleted tenant.
   */
  verifyCached(presented: string): TenantIdentity | null {
    return this.hitOf(cacheKeyOf(presented));
  }

  evictTenant(tenantId: string): void {
    this.generation += 1;
    for (const [key, entry] of this.cache.entries()) {
      if (entry.identity.id === tenantId) this.cache.delete(key);
    }
    this.rows.dropTenant(tenantId);
  }

  private clearCache(): void {
    this.generation += 1;
    this.cache.clear();
    this.rows.clear();
  }

  private async verifyUncached(parsed: ParsedApiKey | null, cacheKey: string | null, clientSubject: string): Promise<TenantIdentity> {
    const keySubject = parsed && `key:${parsed.keyId}`;
    const subjects = keySubject ? [clientSubject, keySubject] : [clientSubject];
    const held = parsed && this.rows.get(parsed.keyId);
    if (held && this.failsTag(parsed.key, held)) return this.fail(subjects, held.tenantId, clientSubject);
    const over = await this.throttle.over(subjects);
    const wait = retryAfter(over, [clientSubject]);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    if (!parsed || !cacheKey || !keySubject) return this.fail(subjects, null);

    // Joined only if no change has been notified since it began: it may have read the rows as they were before.
    let pending = this.inFlight.get(cacheKey);
    if (pending?.generation !== this.generation) {
      const generation = this.generation;
      const verified: Promise<Verified> = this.lookup(parsed, cacheKey, over.get(keySubject))
        .then((result) => {
          this.remember(cacheKey, result, generation);
          return result;
        })
        .finally(() => {
          if (this.inFlight.get(cacheKey)?.verified === verified) this.inFlight.delete(cacheKey);
        });
      pending = { generation, verified };
      this.inFlight.set(cacheKey, pending);
    }
    let identity: TenantIdentity;
    try {
      ({ identity } = await pending.verified);
    } catch (error) {
      if (error instanceof KeyRefused) return this.fail(subjects, error.tenantId);
      throw error;
    }
    return this.admit(identity);
  }

  private async lookup(parsed: ParsedApiKey, cacheKey: string, keyThrottled: FailureCount | undefined): Promise<Verified> {
    const generation = this.generation;
    let row = this.rows.get(parsed.keyId) ?? null;
    if (!row) {
      row = await this.keys.findLive(parsed.keyId);
      if (row && generation === this.generation) this.rows.set(row, performance.now());
    }
    const readAt = performance.now();
    if (!row) throw new KeyRefused(null);
    if (this.verifiedHashes.get(cacheKey) !== row.hash) {
      const tag = checkTag(parsed.key, row.hash);
      if (row.checkTag !== null) {
        if (this.failsTag(parsed.key, row)) throw new KeyRefused(row.tenantId);
      } else if (keyThrottled) {
        // No tag to tell the true key from guesses, and the key id's PBKDF2 budget is spent.
        throw new TooManyAttemptsError(keyThrottled.retryAfterSeconds);
      }
      if (!(await verifyApiKey(parsed.key, row.hash))) throw new KeyRefused(row.tenantId);
      this.verifiedHashes.set(cacheKey, row.hash);
      if (row.checkTag === null && tag !== null) {
        await this.keys.setCheckTag(row.id, tag).catch((error: Error) => this.logger.warn(`check tag not stored: ${error.message}`));
      }
    }
    // validForMs was measured when the row was read; PBKDF2 has taken some of it since.
    const validForMs = row.validForMs === null ? null : row.validForMs - (performance.now() - readAt);
    return { identity: toIdentity(row), validForMs };
  }

  /** Cached for the TTL, or less when the key expires or leaves its grace period first. */
  private remember(cacheKey: string, { identity, validForMs }: Verified, generation: number): void {
    // A change notified while the row was being read may have made it stale: answer, but do not cache.
    // Deactivated and deleted tenants are cached too (admit() refuses them), so their retries cost nothing.
    if (generation !== this.generation) return;
    const ttl = validForMs === null ? this.ttlMs : Math.min(this.ttlMs, Math.floor(validForMs));
    if (ttl < 1) return;
    const entry: CachedKey = { identity, keyId: identity.key.id, usedAt: 0, pending: false };
    this.cache.set(cacheKey, entry, { ttl });
    this.lastUsed.note(entry);
  }

  /** Only keys that parsed and verified are ever cached, so a hit needs no parse. */
  private hitOf(cacheKey: string | null): TenantIdentity | null {
    const cached = cacheKey && this.cache.get(cacheKey);
    if (!cached) return null;
    authMetrics.verifications.inc({ outcome: 'cache_hit' });
    this.lastUsed.note(cached);
    return this.admit(cached.identity);
  }

  private admit(identity: TenantIdentity): TenantIdentity {
    if (identity.isDeleted) throw new TenantDeletedError();
    if (!identity.isActive) throw new TenantDeactivatedError();
    return identity;
  }

  /** True when the row has a check tag and the presented secret does not match it (a wrong secret, no PBKDF2). */
  private failsTag(key: string, row: LiveKeyRow): boolean {
    if (row.checkTag === null) return false;
    const tag = checkTag(key, row.hash);
    return tag === null || !sameTag(tag, row.checkTag);
  }

  /** @param waitFor a subject already over the limit before this failure answers 429, not 401 */
  private async fail(subjects: string[], tenantId: string | null, waitFor?: string): Promise<never> {
    const { began, over } = await this.throttle.recordFailure(subjects);
    for (const subject of began) {
      if (!subject.startsWith('key:')) continue;
      for (const listener of this.keyThrottledListeners) listener(subject.slice(4), tenantId);
    }
    const wait = waitFor ? retryAfter(over, [waitFor]) : 0;
    if (wait > 0) throw new TooManyAttemptsError(wait);
    throw new InvalidApiKeyError();
  }
}

/**
 * Where a key is cached: a SHA-256 of it, never the key itself; null for a text of the wrong length, which no
 * key has (every parsed key is API_KEY_LENGTH long), so garbage costs no hash.
 */
function cacheKeyOf(presented: string): string | null {
  return presented.length === API_KEY_LENGTH ? hash('sha256', presented, 'base64url') : null;
}

/** The presented key is not a live key (unknown, revoked, rotated out, expired, wrong secret). */
class KeyRefused extends Error {
  constructor(readonly tenantId: string | null) {
    super('Invalid API key');
  }
}

function sameTag(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function toIdentity(row: LiveKeyRow): TenantIdentity {
  return {
    id: row.tenantId,
    name: row.tenantName,
    slug: row.slug,
    schemaName: row.schemaName,
    isActive: row.isActive,
    isDeleted: row.isDeleted,
    createdAt: row.tenantCreatedAt,
    rateLimit: tenantRateLimit({ rateLimitRps: row.rateLimitRps, rateLimitBurst: row.rateLimitBurst }),
    key: { id: row.id, name: row.name, scopes: row.scopes, expiresAt: row.expiresAt },
  };
}
