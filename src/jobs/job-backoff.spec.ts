import { backoffSeconds } from './job-backoff';

describe('backoffSeconds', () => {
  it('doubles from the base after each failed attempt', () => {
    expect([1, 2, 3, 4].map((attempts) => backoffSeconds(attempts, 5, 3600))).toEqual([5, 10, 20, 40]);
  });

  it('is capped at the maximum', () => {
    expect(backoffSeconds(20, 5, 3600)).toBe(3600);
    expect(backoffSeconds(5000, 5, 3600)).toBe(3600);
  });

  it('treats attempts below 1 as the first retry', () => {
    expect(backoffSeconds(0, 5, 3600)).toBe(5);
  });
});
