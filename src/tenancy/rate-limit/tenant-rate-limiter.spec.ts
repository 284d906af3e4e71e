import type { EnvironmentVariables } from '../../config/environment-variables';
import { RateLimitDecision, TenantRateLimiter } from './tenant-rate-limiter';

const limiter = (defaultRps = 0) => new TenantRateLimiter({ TENANT_RATE_LIMIT_RPS: defaultRps } as EnvironmentVariables);

async function takeMany(rl: TenantRateLimiter, tenantId: string, limit: { requestsPerSecond: number; burst: number }, n: number) {
  const decisions: RateLimitDecision[] = [];
  for (let i = 0; i < n; i++) decisions.push(await rl.take(tenantId, limit));
  return decisions;
}

// Every limit here refills at 1 request a second at most and each test takes its requests back to back, far
// within one second; the counts below hold however slow the machine is up to that.
describe('TenantRateLimiter', () => {
  it('is off by default, and for requestsPerSecond 0', () => {
    expect(limiter().limitFor(null)).toBeNull();
    expect(limiter(10).limitFor({ requestsPerSecond: 0, burst: 0 })).toBeNull();
  });

  it('takes the instance default (burst = rate) for a tenant without its own', () => {
    expect(limiter(10).limitFor(null)).toEqual({ requestsPerSecond: 10, burst: 10 });
    expect(limiter(10).limitFor({ requestsPerSecond: 3, burst: 5 })).toEqual({ requestsPerSecond: 3, burst: 5 });
  });

  it('admits a full bucket, then refuses with Retry-After, counting down r', async () => {
    const rl = limiter();
    const limit = { requestsPerSecond: 1, burst: 4 };
    const decisions = await takeMany(rl, 'a', limit, 6);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, false, false]);
    expect(decisions[0].policy).toBe('"tenant";q=4;w=4');
    expect(decisions.map((d) => /r=(\d+)/.exec(d.state)![1])).toEqual(['3', '2', '1', '0', '0', '0']);
    expect(decisions[5].retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(decisions[5].state).toMatch(/^"tenant";r=0;t=\d+$/);
  });

  it('keeps tenants apart', async () => {
    const rl = limiter();
    const limit = { requestsPerSecond: 1, burst: 2 };
    expect((await takeMany(rl, 'noisy', limit, 3)).map((d) => d.allowed)).toEqual([true, true, false]);
    expect((await takeMany(rl, 'quiet', limit, 2)).map((d) => d.allowed)).toEqual([true, true]);
  });

  it('starts a changed limit on a full bucket of its own', async () => {
    const rl = limiter();
    expect((await takeMany(rl, 'a', { requestsPerSecond: 1, burst: 1 }, 2)).map((d) => d.allowed)).toEqual([true, false]);
    expect((await takeMany(rl, 'a', { requestsPerSecond: 1, burst: 3 }, 4)).map((d) => d.allowed)).toEqual([true, true, true, false]);
  });

  it('describes a bucket of burst = rate as q per second', async () => {
    const [decision] = await takeMany(limiter(), 'a', { requestsPerSecond: 100, burst: 100 }, 1);
    expect(decision.policy).toBe('"tenant";q=100;w=1');
    expect(decision.state).toBe('"tenant";r=99;t=1');
  });
});
