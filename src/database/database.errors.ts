import { UnavailableError } from '../common/domain-errors';

/** The tenant's schema is behind the migration this code needs (a deploy is migrating it). */
export class SchemaBehindError extends UnavailableError {
  constructor() {
    super('This tenant is being upgraded; retry shortly');
  }
}
