/**
 * The rules of a tenant's rate limit, in one place: the DTO (HTTP), the service (HTTP and CLI) and the
 * registry's CHECK constraint (migration AddTenantRateLimit) all say the same.
 */
export const RATE_LIMIT_MAX = 1_000_000;

/** A token bucket: refills at `requestsPerSecond`, holds at most `burst`. `requestsPerSecond` 0 = unlimited. */
export interface RateLimitSetting {
  requestsPerSecond: number;
  burst: number;
}

/** What a caller may send: `burst` defaults to `requestsPerSecond`. */
export interface RateLimitInput {
  requestsPerSecond: number;
  burst?: number;
}

const isWhole = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** Every problem of a rate limit as sent (each naming its field), or none. `null` (the default) has none. */
export function rateLimitProblems(value: unknown): string[] {
  if (value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return ['rateLimit must be an object or null'];
  const { requestsPerSecond, burst, ...rest } = value as Record<string, unknown>;
  const problems = Object.keys(rest).map((key) => `property rateLimit.${key} should not exist`);
  if (!isWhole(requestsPerSecond) || requestsPerSecond < 0 || requestsPerSecond > RATE_LIMIT_MAX) {
    problems.push(`rateLimit.requestsPerSecond must be an integer from 0 to ${RATE_LIMIT_MAX}`);
  }
  if (burst !== undefined) {
    const problem = burstProblem(burst, requestsPerSecond);
    if (problem) problems.push(`rateLimit.burst ${problem}`);
  }
  return problems;
}

/**
 * What is wrong with `burst` given the rate it goes with (the predicate, after the field's name), or null.
 * A bucket smaller than one second's refill is refused: the limiter counts whole seconds.
 */
export function burstProblem(burst: unknown, requestsPerSecond: unknown): string | null {
  if (!isWhole(burst) || burst < 1 || burst > RATE_LIMIT_MAX) return `must be an integer from 1 to ${RATE_LIMIT_MAX}`;
  if (requestsPerSecond === 0) return 'must be left out when requestsPerSecond is 0 (unlimited)';
  if (isWhole(requestsPerSecond) && burst < requestsPerSecond) return 'must not be less than requestsPerSecond';
  return null;
}

/** The setting stored for valid input (`burst` filled in; 0 for an unlimited tenant). */
export function toRateLimitSetting(input: RateLimitInput): RateLimitSetting {
  return { requestsPerSecond: input.requestsPerSecond, burst: input.burst ?? input.requestsPerSecond };
}
