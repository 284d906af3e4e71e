import { ConflictError, NotFoundError } from '../../common/domain-errors';

export class TenantNotFoundError extends NotFoundError {
  constructor() {
    super('Tenant not found');
  }
}
export class SlugTakenError extends ConflictError {
  constructor(slug: string) {
    super(`A tenant with slug "${slug}" already exists`);
  }
}
export class SchemaExistsError extends ConflictError {
  constructor(slug: string) {
    super(`Schema for slug "${slug}" already exists`);
  }
}
export class TenantAlreadyDeletedError extends ConflictError {
  constructor() {
    super('Tenant is already deleted; restore it, or purge it with purge=true');
  }
}
export class TenantNotDeletedError extends ConflictError {
  constructor() {
    super('Tenant is not deleted');
  }
}
