import { ForbiddenError, ThrottledError, UnauthenticatedError } from '../../common/domain-errors';

export class InvalidApiKeyError extends UnauthenticatedError {
  constructor(message = 'Invalid API key') {
    super(message);
  }
}
export class TenantDeactivatedError extends ForbiddenError {
  constructor() {
    super('Tenant is deactivated');
  }
}
export class TenantDeletedError extends ForbiddenError {
  constructor() {
    super('Tenant is deleted');
  }
}
export class TooManyAttemptsError extends ThrottledError {
  constructor(retryAfterSeconds: number) {
    super('Too many failed authentication attempts', retryAfterSeconds);
  }
}
export class MissingScopeError extends ForbiddenError {
  constructor(scope: string) {
    super(`API key lacks the ${scope} scope`);
  }
}
