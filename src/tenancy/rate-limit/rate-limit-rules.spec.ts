import { RATE_LIMIT_MAX, rateLimitProblems, toRateLimitSetting } from './rate-limit-rules';

describe('rate limit rules', () => {
  it.each<[string, unknown]>([
    ['null (the default)', null],
    ['a rate alone', { requestsPerSecond: 50 }],
    ['a rate and a larger burst', { requestsPerSecond: 50, burst: 100 }],
    ['unlimited', { requestsPerSecond: 0 }],
    ['the largest', { requestsPerSecond: RATE_LIMIT_MAX, burst: RATE_LIMIT_MAX }],
  ])('accepts %s', (_case, value) => {
    expect(rateLimitProblems(value)).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    ['an array', [], ['rateLimit must be an object or null']],
    ['a number', 5, ['rateLimit must be an object or null']],
    ['no rate', {}, ['rateLimit.requestsPerSecond must be an integer from 0 to 1000000']],
    ['a negative rate', { requestsPerSecond: -1 }, ['rateLimit.requestsPerSecond must be an integer from 0 to 1000000']],
    ['a fractional rate', { requestsPerSecond: 1.5 }, ['rateLimit.requestsPerSecond must be an integer from 0 to 1000000']],
    ['a huge rate', { requestsPerSecond: 1e12 }, ['rateLimit.requestsPerSecond must be an integer from 0 to 1000000']],
    ['a rate as text', { requestsPerSecond: '5' }, ['rateLimit.requestsPerSecond must be an integer from 0 to 1000000']],
    ['a burst of 0', { requestsPerSecond: 5, burst: 0 }, ['rateLimit.burst must be an integer from 1 to 1000000']],
    ['a burst below the rate', { requestsPerSecond: 5, burst: 4 }, ['rateLimit.burst must not be less than requestsPerSecond']],
    ['a burst with no limit', { requestsPerSecond: 0, burst: 4 }, ['rateLimit.burst must be left out when requestsPerSecond is 0 (unlimited)']],
    ['an unknown field', { requestsPerSecond: 5, window: 60 }, ['property rateLimit.window should not exist']],
  ])('refuses %s, naming the field', (_case, value, problems) => {
    expect(rateLimitProblems(value)).toEqual(problems);
  });

  it('fills in burst (the rate; 0 when unlimited)', () => {
    expect(toRateLimitSetting({ requestsPerSecond: 7 })).toEqual({ requestsPerSecond: 7, burst: 7 });
    expect(toRateLimitSetting({ requestsPerSecond: 7, burst: 9 })).toEqual({ requestsPerSecond: 7, burst: 9 });
    expect(toRateLimitSetting({ requestsPerSecond: 0 })).toEqual({ requestsPerSecond: 0, burst: 0 });
  });
});
