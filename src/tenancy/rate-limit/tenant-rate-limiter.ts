import { Injectable } from '@nestjs/common';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { EnvironmentVariables } from '../../config/environment-variables';
import type { RateLimitSetting } from './rate-limit-rules';

/** One request's turn at its tenant's bucket, with the header values (draft-ietf-httpapi-ratelimit-headers-11). */
export interface RateLimitDecision {
  allowed: boolean;
  /** `RateLimit-Policy`: `"tenant";q=<burst>;w=<seconds to refill a drained bucket>`. */
  policy: string;
  /** `RateLimit`: `"tenant";r=<requests admitted now>;t=<seconds until the bucket is full again>`. */
  state: string;
  /** When refused: seconds until the next request is admitted (at least 1). */
  retryAfterSeconds: number;
}

/**
 * The limiters of one setting, shared by every tenant that has it (keyed by tenant id). rate-limiter-flexible
 * has no token bucket; its BurstyRateLimiter is the documented form of one: `requestsPerSecond` per one-second
 * window, and when that is spent an allowance of `burst - requestsPerSecond` more per refill window
 * (`ceil(burst / requestsPerSecond)` seconds). So a full bucket admits `burst` at once, then
 * `requestsPerSecond` a second; a client that never pauses gets at most
 * `requestsPerSecond + (burst - requestsPerSecond) / window` a second (under 2x the rate).
 */
class TenantBucket {
  readonly policy: string;
  private readonly steady: RateLimiterMemory;
  private readonly allowance: RateLimiterMemory | null;
  private readonly limiter: RateLimiterMemory | BurstyRateLimiter;

  constructor(private readonly setting: RateLimitSetting) {
    const { requestsPerSecond, burst } = setting;
    const windowSeconds = Math.ceil(burst / requestsPerSecond);
    this.policy = `"tenant";q=${burst};w=${windowSeconds}`;
    this.steady = new RateLimiterMemory({ keyPrefix: '', points: requestsPerSecond, duration: 1 });
    this.allowance =
      burst > requestsPerSecond ? new RateLimiterMemory({ keyPrefix: '', points: burst - requestsPerSecond, duration: windowSeconds }) : null;
    this.limiter = this.allowance ? new BurstyRateLimiter(this.steady, this.allowance) : this.steady;
  }

  /** No I/O: the counters are this process's memory. */
  async take(tenantId: string): Promise<RateLimitDecision> {
    let allowed = true;
    let res: RateLimiterRes;
    try {
      res = await this.limiter.consume(tenantId);
    } catch (refusal) {
      // The library refuses with a RateLimiterRes; anything else is a fault, not a refusal.
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      res = refusal;
      allowed = false;
    }
    let remaining = res.remainingPoints;
    let fullInMs = res.msBeforeNext;
    if (this.allowance) {
      const [steady, spare] = await Promise.all([this.steady.get(tenantId), this.allowance.get(tenantId)]);
      remaining = left(steady, this.setting.requestsPerSecond) + left(spare, this.setting.burst - this.setting.requestsPerSecond);
      fullInMs = Math.max(steady?.msBeforeNext ?? 0, spare && spare.consumedPoints > 0 ? spare.msBeforeNext : 0);
    }
    return {
      allowed,
      policy: this.policy,
      state: `"tenant";r=${remaining};t=${Math.max(0, Math.ceil(fullInMs / 1000))}`,
      retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }
}

/** Points left in a window (all of them once it has ended or before it began). */
function left(res: RateLimiterRes | null, points: number): number {
  if (!res || res.msBeforeNext <= 0) return points;
  return Math.max(points - res.consumedPoints, 0);
}

/**
 * Per-tenant rate limits, in this process's memory (each instance counts on its own: README, "Rate limits per
 * tenant"). A tenant's setting comes with its verified key, so a warm request costs no I/O here either.
 */
@Injectable()
export class TenantRateLimiter {
  private readonly buckets = new Map<string, TenantBucket>();
  private readonly instanceDefault: RateLimitSetting | null;

  constructor(config: EnvironmentVariables) {
    const rps = config.TENANT_RATE_LIMIT_RPS;
    this.instanceDefault = rps > 0 ? { requestsPerSecond: rps, burst: rps } : null;
  }

  /** The limit in force for a tenant's own setting (null = the default); null when unlimited. */
  limitFor(own: RateLimitSetting | null): RateLimitSetting | null {
    const setting = own ?? this.instanceDefault;
    return setting && setting.requestsPerSecond > 0 ? setting : null;
  }

  /**
   * One request of the tenant. A changed setting starts on a bucket of its own, full; the old one's counters
   * expire with their windows.
   */
  take(tenantId: string, limit: RateLimitSetting): Promise<RateLimitDecision> {
    const key = `${limit.requestsPerSecond}/${limit.burst}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TenantBucket(limit);
      this.buckets.set(key, bucket);
    }
    return bucket.take(tenantId);
  }
}
