import { ThrottledError } from '../../common/domain-errors';

/** Over the tenant's rate limit on this instance. */
export class TenantRateLimitedError extends ThrottledError {
  constructor(retryAfterSeconds: number) {
    super('Rate limit exceeded for this tenant', retryAfterSeconds);
  }
}
