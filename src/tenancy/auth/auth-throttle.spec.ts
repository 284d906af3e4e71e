import { AuthThrottle } from './auth-throttle';

describe('AuthThrottle', () => {
  const t0 = 1_700_000_000_000;

  it('lets a subject fail up to the limit, then asks it to wait until the window ends', () => {
    const throttle = new AuthThrottle(3, 60_000);
    const subjects = ['ip:1.2.3.4'];
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterSeconds(subjects, t0 + i)).toBe(0);
      throttle.recordFailure(subjects, t0 + i);
    }
    expect(throttle.retryAfterSeconds(subjects, t0 + 10)).toBe(60);
    expect(throttle.retryAfterSeconds(subjects, t0 + 30_000)).toBe(30);
    expect(throttle.retryAfterSeconds(subjects, t0 + 59_001)).toBe(1);
  });

  it('forgets the failures once the window has passed', () => {
    const throttle = new AuthThrottle(2, 1_000);
    throttle.recordFailure(['ip:a'], t0);
    throttle.recordFailure(['ip:a'], t0);
    expect(throttle.retryAfterSeconds(['ip:a'], t0 + 999)).toBe(1);
    expect(throttle.retryAfterSeconds(['ip:a'], t0 + 1_000)).toBe(0);
    // A failure after the window starts a new count at one.
    throttle.recordFailure(['ip:a'], t0 + 1_001);
    expect(throttle.retryAfterSeconds(['ip:a'], t0 + 1_002)).toBe(0);
    throttle.recordFailure(['ip:a'], t0 + 1_002);
    expect(throttle.retryAfterSeconds(['ip:a'], t0 + 1_003)).toBe(1);
  });

  it('counts subjects separately and throttles when any one of them is over the limit', () => {
    const throttle = new AuthThrottle(2, 60_000);
    // Two clients trying the same key id: the key id reaches the limit, neither client does.
    throttle.recordFailure(['ip:a', 'key:K'], t0);
    throttle.recordFailure(['ip:b', 'key:K'], t0);
    expect(throttle.retryAfterSeconds(['ip:a'], t0)).toBe(0);
    expect(throttle.retryAfterSeconds(['ip:b'], t0)).toBe(0);
    expect(throttle.retryAfterSeconds(['ip:c', 'key:K'], t0)).toBe(60);
    expect(throttle.retryAfterSeconds(['ip:c', 'key:other'], t0)).toBe(0);
  });

  it('answers the longest wait among the throttled subjects', () => {
    const throttle = new AuthThrottle(1, 60_000);
    throttle.recordFailure(['ip:a'], t0);
    throttle.recordFailure(['key:K'], t0 + 20_000);
    expect(throttle.retryAfterSeconds(['ip:a', 'key:K'], t0 + 30_000)).toBe(50);
  });

  it('keeps bounded memory under a flood of distinct subjects', () => {
    const throttle = new AuthThrottle(1, 60_000);
    for (let i = 0; i < 60_000; i++) throttle.recordFailure([`ip:${i}`], t0);
    // The oldest subjects were dropped (bounded LRU); the newest are still counted.
    expect(throttle.retryAfterSeconds(['ip:0'], t0)).toBe(0);
    expect(throttle.retryAfterSeconds(['ip:59999'], t0)).toBe(60);
  });
});
