import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '../../config/environment-variables';
import { InvalidApiKeyError, TenantDeactivatedError, TooManyAttemptsError } from './auth.errors';
import { parseApiKey } from './api-key';
import { burnVerification, verifyApiKey } from './api-key-hasher';
import { AuthThrottle } from './auth-throttle';
import { Tenant } from '../registry/tenant.entity';
import type { TenantIdentity } from './tenant-identity';
import { TenantEventsService } from '../registry/tenant-events.service';

/**
 * Turns a presented API key into the tenant it belongs to.
 * Malformed keys are refused with no I/O; the tenant row is found by the key id's unique index; PBKDF2 runs
 * off the event loop and only on a cache miss; verified keys are cached under a SHA-256 of the key (never the
 * key) until the TTL or a change notification for the tenant, whichever comes first.
 */
@Injectable()
export class ApiKeyVerifierService {
  private readonly cache: LRUCache<string, TenantIdentity>;
  /**
   * Keys (by SHA-256) already proven against a stored hash, with that hash. When the identity cache expires,
   * a key whose tenant row still holds the same hash is re-admitted without PBKDF2 (a regenerated key has a
   * new hash, so it never matches), and a known key is not throttled by others' failures on its key id.
   */
  private readonly verifiedHashes: LRUCache<string, string>;
  private readonly inFlight = new Map<string, Promise<TenantIdentity>>();
  private readonly throttle: AuthThrottle;
  /** Bumped by every eviction, so a lookup that raced with a tenant change is not cached. */
  private generation = 0;

  constructor(
    private readonly config: EnvironmentVariables,
    private readonly dataSource: DataSource,
    events: TenantEventsService,
  ) {
    this.cache = new LRUCache({ max: config.AUTH_CACHE_MAX, ttl: config.AUTH_CACHE_TTL_SECONDS * 1000 });
    this.verifiedHashes = new LRUCache({ max: config.AUTH_CACHE_MAX });
    this.throttle = new AuthThrottle(config.AUTH_FAILURE_LIMIT, config.AUTH_FAILURE_WINDOW_SECONDS * 1000);
    events.subscribe((change) => (change === 'resync' ? this.clearCache() : this.evictTenant(change.tenantId)));
  }

  /** @param client the caller's address, for throttling */
  async verify(presented: string, client: string): Promise<TenantIdentity> {
    const parsed = parseApiKey(presented);
    const subjects = parsed ? [`ip:${client}`, `key:${parsed.keyId}`] : [`ip:${client}`];
    const cacheKey = parsed && createHash('sha256').update(presented).digest('base64url');
    const cached = cacheKey && this.cache.get(cacheKey);
    if (cached) return this.admit(cached);

    const known = cacheKey ? this.verifiedHashes.has(cacheKey) : false;
    const wait = known ? 0 : this.throttle.retryAfterSeconds(subjects);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    if (!parsed || !cacheKey) return this.fail(subjects);

    let pending = this.inFlight.get(cacheKey);
    if (!pending) {
      const generation = this.generation;
      pending = this.lookup(parsed.keyId, presented, cacheKey)
        .then((identity) => {
          // A change notified while the row was being read may have made it stale: answer, but do not cache.
          // Deactivated tenants are cached too (admit() refuses them), so their retries cost no PBKDF2;
          // reactivation is a change notification like any other and evicts the entry.
          if (generation === this.generation) this.cache.set(cacheKey, identity);
          return identity;
        })
        .finally(() => this.inFlight.delete(cacheKey));
      this.inFlight.set(cacheKey, pending);
    }
    let identity: TenantIdentity;
    try {
      identity = await pending;
    } catch (error) {
      if (error instanceof InvalidApiKeyError) return this.fail(subjects);
      throw error;
    }
    return this.admit(identity);
  }

  evictTenant(tenantId: string): void {
    this.generation += 1;
    for (const [key, identity] of this.cache.entries()) {
      if (identity.id === tenantId) this.cache.delete(key);
    }
  }

  private clearCache(): void {
    this.generation += 1;
    this.cache.clear();
  }

  private async lookup(keyId: string, presented: string, cacheKey: string): Promise<TenantIdentity> {
    const tenant = await this.dataSource.getRepository(Tenant).findOne({ where: { apiKeyId: keyId } });
    if (!tenant) {
      await burnVerification(this.config.API_KEY_PBKDF2_ITERATIONS);
      throw new InvalidApiKeyError();
    }
    if (this.verifiedHashes.get(cacheKey) !== tenant.apiKeyHash) {
      if (!(await verifyApiKey(presented, tenant.apiKeyHash))) throw new InvalidApiKeyError();
      this.verifiedHashes.set(cacheKey, tenant.apiKeyHash);
    }
    const { id, name, slug, schemaName, isActive, createdAt } = tenant;
    return { id, name, slug, schemaName, isActive, createdAt };
  }

  private admit(identity: TenantIdentity): TenantIdentity {
    if (!identity.isActive) throw new TenantDeactivatedError();
    return identity;
  }

  private fail(subjects: string[]): never {
    this.throttle.recordFailure(subjects);
    throw new InvalidApiKeyError();
  }
}
